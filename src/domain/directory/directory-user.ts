// A user of the portal directory as the line engine sees them: how they are shown and whether they can work.

/** The directory entry of an operator, shown where the queue carries no per-line display data. */
export interface DirectoryUser {
  readonly name: string;
  readonly lastName: string;
  readonly workPosition: string;
  readonly avatar: string;
  readonly active: boolean;
  readonly online: boolean;
}
