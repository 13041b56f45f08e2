/**
 * A value given to the Temporal layer that it cannot use (a duration that does not parse,
 * a value that cannot become a payload); the message names the argument. The protocol
 * answers it as InvalidParams. Any other error from below is a bug, not bad input.
 */
export class InvalidArgumentError extends Error {
  override name = 'InvalidArgumentError';
}
