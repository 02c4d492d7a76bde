// Event types on bps.notifications.v1, emitted by the notifications service: who was told what, and when.
import { NotificationDeadLettered, NotificationDelivered, SubscriptionDisabled } from '../../../proto/gen/bps/notifications/v1/events';
import { defineEvent, topics } from './catalog';

export const notificationEvents = {
  delivered: defineEvent('bps.notification.delivered', topics.notifications, 'bps.notifications.v1.NotificationDelivered', NotificationDelivered),
  deadLettered: defineEvent('bps.notification.dead-lettered', topics.notifications, 'bps.notifications.v1.NotificationDeadLettered', NotificationDeadLettered),
  subscriptionDisabled: defineEvent(
    'bps.notification.subscription.disabled',
    topics.notifications,
    'bps.notifications.v1.SubscriptionDisabled',
    SubscriptionDisabled,
  ),
} as const;
