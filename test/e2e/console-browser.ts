/**
 * The browser the console's tests drive: Debian's chromium (`apt-get install chromium`), or the one named
 * by PRISM_CHROMIUM, through playwright-core (which never downloads a browser). Without one the suite is
 * skipped with a line saying how to get it, except in CI (CI=true), where that is a failure.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumExecutable(): string | undefined {
  const named = process.env.PRISM_CHROMIUM;
  if (named !== undefined && named !== '') return existsSync(named) ? named : undefined;
  return CANDIDATES.find((path) => existsSync(path));
}

/** `describe` that runs when a browser exists; in CI a missing browser fails the suite instead. */
export function describeWithBrowser(name: string, body: (executable: string) => void): void {
  const executable = chromiumExecutable();
  if (executable !== undefined) {
    describe(name, () => body(executable));
    return;
  }
  const how =
    "install Debian's chromium (`apt-get install -y chromium`) or set PRISM_CHROMIUM to a Chromium/Chrome binary";
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('has a browser to run in', () => {
        throw new Error(`No browser found for the console tests: ${how}.`);
      });
    });
    return;
  }
  console.warn(`SKIPPED "${name}": needs a browser; ${how}`);
  describe.skip(name, () => body(''));
}

export function launchBrowser(executable: string): Promise<Browser> {
  return chromium.launch({ executablePath: executable, headless: true, args: ['--disable-gpu'] });
}
