/**
 * The KurrentDB server's time, as a LOWER bound, for deciding whether a lease or a node has lapsed.
 *
 * KurrentDB has no "now()" to ask, but every event it stores carries its `created` time on the server. So
 * the clock writes a tiny event (a probe), reads its `created` back, and notes the offset between that
 * and the local time when the answer arrived. The server wrote the event before the answer left it, so at
 * any later local moment t the server's time is at least `created + (t - arrival)`: a lower bound. A
 * lapse judged on it is a lapse on the server too (a lease is never taken over early); at worst a takeover
 * comes a round trip late. The offset is measured again every `refreshMs`, so a local clock that jumps
 * is corrected within that time.
 */
import { CLOCK_PROBE, streams as names } from './kurrentdb-coordination-records';
import type { CoordinationStreams } from './coordination-streams';

const PROBE_STREAM_MAX_COUNT = 16;

export class ServerClock {
  private offset: number | undefined;
  private measuredAt = Number.NEGATIVE_INFINITY;
  private settingsWritten = false;
  private probing: Promise<void> | undefined;

  constructor(
    private readonly streams: CoordinationStreams,
    private readonly refreshMs = 10_000,
    private readonly local: () => number = Date.now,
  ) {}

  /** Milliseconds since the epoch on the server's clock, at least (see the file comment). */
  async now(): Promise<number> {
    if (this.offset === undefined || this.local() - this.measuredAt > this.refreshMs) {
      this.probing ??= this.probe().finally(() => (this.probing = undefined));
      await this.probing;
    }
    return this.local() + this.offset!;
  }

  private async probe(): Promise<void> {
    if (!this.settingsWritten) {
      // Only the last few probes are worth keeping; written once per process.
      await this.streams.setSettings(names.clock, { maxCount: PROBE_STREAM_MAX_COUNT });
      this.settingsWritten = true;
    }
    // Other nodes probe too; if theirs pushed ours out of the kept window before we read it, probe again.
    for (let attempt = 1; ; attempt++) {
      const revision = await this.streams.append(names.clock, CLOCK_PROBE, {}, 'any');
      const written = revision === undefined ? undefined : await this.streams.at(names.clock, revision);
      const arrived = this.local();
      if (written !== undefined) {
        this.offset = written.created.getTime() - arrived;
        this.measuredAt = arrived;
        return;
      }
      if (attempt >= 3)
        throw new Error('could not read back a clock probe from KurrentDB three times in a row');
    }
  }
}
