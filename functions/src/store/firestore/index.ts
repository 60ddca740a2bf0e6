import type { Store } from '../port';

/** Placeholder until the Firestore adapter lands; the config refuses CRONPEEK_STORE=firestore meanwhile. */
export function openFirestoreStore(_options: { projectId: string }): Store {
  throw new Error('the Firestore adapter is not built yet');
}
