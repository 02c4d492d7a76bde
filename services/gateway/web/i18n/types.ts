// The shape of the console's message tables: one entry per message id, with the Chinese (official) and English text.
// A value filled in by the page is written {name} in both languages.

export type Lang = 'zh' | 'en';

export type Entry = { readonly zh: string; readonly en: string };

export type Messages = Readonly<Record<string, Entry>>;

/** The {name} placeholders of a message text, as a union of names (never when there are none). */
export type Placeholders<S extends string> = S extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;

/** The ids of a table whose zh and en texts do not use the same placeholders (never when all agree). */
export type MismatchedPlaceholders<T extends Messages> = {
  [K in keyof T]: [Placeholders<T[K]['zh']>] extends [Placeholders<T[K]['en']>]
    ? [Placeholders<T[K]['en']>] extends [Placeholders<T[K]['zh']>]
      ? never
      : K
    : K;
}[keyof T];

/** A value interpolated into a message. */
export type ParamValue = string | number;
