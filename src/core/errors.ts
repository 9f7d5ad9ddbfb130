/**
 * Error catalogue of the core. The class decides what happens next: retryable errors are retried
 * within a budget, the others stop the work at once with their message shown to the user.
 */
export class OrderhubError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

export class ConfigError extends OrderhubError {
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[]) {
    super('config_invalid', `invalid configuration in ${source}:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

/** The channel refused a write (status change, document) with its own message. Never retried. */
export class ChannelRefusedError extends OrderhubError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('channel_refused', message, options);
  }
}

/** Paging could not be proven complete: the sync fails rather than treating a partial result as all. */
export class PagingError extends OrderhubError {
  constructor(message: string) {
    super('paging_incomplete', message);
  }
}

/** A write-back that orderhub refuses locally because the channel's documented rules forbid it. */
export class WriteBackRuleError extends OrderhubError {
  constructor(message: string) {
    super('write_back_rule', message);
  }
}

export class NotFoundError extends OrderhubError {
  constructor(message: string) {
    super('not_found', message);
  }
}
