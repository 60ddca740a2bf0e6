import type { Flip, Notification, Ping } from '../domain/types';
import type { Store } from './port';

/**
 * Reads that only tests and the bench make, to look behind the services at what a store holds.
 * Production code speaks `Store`; both adapters implement this as well.
 */
export interface StoreInspection {
  /** Recent pings of a monitor, newest first. */
  listPings(monitorId: string, limit: number): Promise<Ping[]>;
  /** Status changes of a monitor, oldest first. */
  listFlips(monitorId: string): Promise<Flip[]>;
  getNotification(id: string): Promise<Notification | null>;
  /** The monitor's notifications, oldest first. */
  listNotifications(monitorId: string): Promise<Notification[]>;
  /** Resolves once every removal this instance started in the background has ended (see `finishDeletions`). */
  deletionsSettled(): Promise<void>;
}

/** A store together with its inspection reads, as the test and bench helpers hand it out. */
export type InspectableStore = Store & StoreInspection;
