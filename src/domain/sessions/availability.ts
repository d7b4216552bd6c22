// Availability from the directory alone (runtime-sessions.md §8): a deactivated user is DISMISSAL always; with
// CHECK_AVAILABLE=Y a user the directory shows offline is OFFLINE. The presence model (pause, absence,
// activity-based online) replaces it when it is wired in.

import { findUsers } from '../../store/directory-repository.js';
import type { Unavailable } from './distribution.js';
import type { AvailabilityReader } from './session-engine.js';

export const DIRECTORY_AVAILABILITY: AvailabilityReader = {
  async unavailable(db, userIds, options) {
    const users = await findUsers(db, userIds);
    const result = new Map<number, Unavailable | null>();
    for (const id of userIds) {
      const user = users.get(id);
      if (!user?.active) result.set(id, 'DISMISSAL');
      else if (options.checkAvailable && !user.is_online) result.set(id, 'OFFLINE');
      else result.set(id, null);
    }
    return result;
  },
};
