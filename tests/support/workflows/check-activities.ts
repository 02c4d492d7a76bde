export function createActivities(deps: { names: Record<string, string> }) {
  return {
    async describeItem(itemCode: string): Promise<string> {
      return `${itemCode} ${deps.names[itemCode] ?? 'unknown'}`;
    },
  };
}
export const { describeItem } = createActivities({ names: {} });
