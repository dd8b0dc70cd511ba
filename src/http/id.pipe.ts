/** Aggregate ids become part of stream names, so they are kept to a safe alphabet. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
