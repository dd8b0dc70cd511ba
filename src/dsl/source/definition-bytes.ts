/**
 * From a definition file's bytes to its text, refusing what YAML cannot hold (issue #12, item 8): a file
 * over the size limit (before anything is decoded or parsed), UTF-16 or UTF-32 (named as such, with or
 * without a byte-order mark), bytes that are not UTF-8 (never silently replaced by U+FFFD), and NUL or
 * other control characters, each with its line and column. A UTF-8 byte-order mark is accepted and dropped.
 */
import type { DefinitionError, DefinitionErrorCode } from '../errors/definition-error';
import { MAX_FILE_BYTES } from '../model/definition-limits';

export interface DecodedSource {
  /** The text, when the bytes are a UTF-8 YAML file within the size limit. */
  readonly text?: string;
  readonly errors: readonly DefinitionError[];
}

/** Problems of one kind reported per file; a binary file would otherwise print one line per byte. */
const MAX_REPORTED = 5;

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const LENIENT_UTF8 = new TextDecoder('utf-8');

export function decodeDefinitionBytes(bytes: Uint8Array, file: string): DecodedSource {
  const sizeError = fileSizeError(bytes.length, file);
  if (sizeError) return { errors: [sizeError] };
  const wide = wideEncoding(bytes);
  if (wide) {
    return {
      errors: [
        problem('encoding', file, 1, 1, `the file is ${wide}, not UTF-8`, 'save it as UTF-8 (without BOM)'),
      ],
    };
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(start);
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    return { errors: invalidUtf8(body, file) };
  }
  const controls = controlCharacters(text, file);
  return controls.length > 0 ? { errors: controls } : { text, errors: [] };
}

/** The size check on its own, for callers that know the size before reading (stat). */
export function fileSizeError(size: number, file: string): DefinitionError | undefined {
  if (size <= MAX_FILE_BYTES) return undefined;
  return problem(
    'file-too-large',
    file,
    1,
    1,
    `the file has ${size.toLocaleString('en-US')} bytes; a definition may have at most ${MAX_FILE_BYTES.toLocaleString('en-US')} (1 MiB)`,
    'split it into several projections',
  );
}

/** UTF-16/UTF-32, by byte-order mark or by the NUL byte every other byte that ASCII text has in UTF-16. */
function wideEncoding(bytes: Uint8Array): string | undefined {
  const [b0, b1, b2, b3] = bytes;
  if (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0)
    return 'UTF-32 (little-endian, byte-order mark FF FE 00 00)';
  if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff)
    return 'UTF-32 (big-endian, byte-order mark 00 00 FE FF)';
  if (b0 === 0xff && b1 === 0xfe) return 'UTF-16 (little-endian, byte-order mark FF FE)';
  if (b0 === 0xfe && b1 === 0xff) return 'UTF-16 (big-endian, byte-order mark FE FF)';
  const sample = Math.min(bytes.length, 512) & ~1;
  if (sample < 4) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < sample; i += 2) {
    if (bytes[i] === 0) evenZeros++;
    if (bytes[i + 1] === 0) oddZeros++;
  }
  const pairs = sample / 2;
  if (oddZeros >= pairs * 0.6 && evenZeros === 0) return 'UTF-16 (little-endian, no byte-order mark)';
  if (evenZeros >= pairs * 0.6 && oddZeros === 0) return 'UTF-16 (big-endian, no byte-order mark)';
  return undefined;
}

/** Each invalid UTF-8 sequence, with the line and column (in characters) where it starts. */
function invalidUtf8(bytes: Uint8Array, file: string): DefinitionError[] {
  const errors: DefinitionError[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  while (i < bytes.length && errors.length < MAX_REPORTED) {
    const byte = bytes[i]!;
    if (byte === 0x0a) {
      line++;
      lineStart = i + 1;
      i++;
      continue;
    }
    const length = validSequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    const column = LENIENT_UTF8.decode(bytes.subarray(lineStart, i)).length + 1;
    const hex = byte.toString(16).toUpperCase().padStart(2, '0');
    errors.push(
      problem(
        'encoding',
        file,
        line,
        column,
        `byte 0x${hex} is not valid UTF-8 here (the file must be UTF-8)`,
        'save the file as UTF-8; it may be Latin-1 or Windows-1252',
      ),
    );
    i++;
  }
  return errors;
}

/** Length of the valid UTF-8 sequence at `i` (1-4), or 0 when it is invalid (RFC 3629 ranges). */
function validSequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  const cont = (offset: number, low = 0x80, high = 0xbf): boolean => {
    const b = bytes[i + offset];
    return b !== undefined && b >= low && b <= high;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b0 >= 0xe1 && b0 <= 0xec) || b0 === 0xee || b0 === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0; // no surrogates
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/**
 * YAML allows tab, line feed and carriage return among the C0 controls, and NEL among the C1 ones; a NUL
 * would also reach PostgreSQL text, which cannot store it.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F\uFFFE\uFFFF]/g;

function controlCharacters(text: string, file: string): DefinitionError[] {
  const errors: DefinitionError[] = [];
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  for (const match of text.matchAll(CONTROL)) {
    for (let i = text.indexOf('\n', scanned); i >= 0 && i < match.index; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    scanned = match.index;
    const code = match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    const what = code === '0000' ? 'a NUL character (U+0000)' : `control character U+${code}`;
    errors.push(
      problem(
        'encoding',
        file,
        line,
        match.index - lineStart + 1,
        `${what} is not allowed in a YAML file`,
        code === '0000' ? 'a NUL byte often means the file is UTF-16; save it as UTF-8' : 'remove it',
      ),
    );
    if (errors.length >= MAX_REPORTED) break;
  }
  return errors;
}

function problem(
  code: DefinitionErrorCode,
  file: string,
  line: number,
  column: number,
  message: string,
  suggestion?: string,
): DefinitionError {
  return {
    code,
    severity: 'error',
    file,
    line,
    column,
    path: '',
    message,
    ...(suggestion === undefined ? {} : { suggestion }),
  };
}
