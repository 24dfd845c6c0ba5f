import type { Readable } from 'node:stream';
import { StatementFileError } from './errors';
import { clip } from './statement-format';

/**
 * What an XLSX statement may unpack to (docs/reconciliation.md "Limits"). A workbook is a zip of
 * XML parts; deflate packs repeated bytes about 1000:1, so a 200 MB upload could unpack to 200 GB
 * of worksheet (which exceljs spools to a temporary file when the sheet comes before the shared
 * strings, as Excel writes them) or to a hundred million shared strings (which it holds in memory).
 * A real statement of a million lines unpacks to a few hundred MB.
 */
export const XLSX_LIMITS = {
  /** Parts in the zip: a workbook has a dozen or two. */
  parts: 1000,
  /** Bytes any one part unpacks to. */
  partBytes: 1024 * 1024 * 1024,
  /** Bytes all parts together unpack to. */
  totalBytes: 2 * 1024 * 1024 * 1024,
  /** Bytes the shared-strings part unpacks to (exceljs keeps every shared string in memory). */
  sharedStringsBytes: 256 * 1024 * 1024,
  /** Shared strings (<si> elements): four cells a row of Excel's 1,048,576 rows, and some. */
  sharedStrings: 5_000_000,
} as const;

interface ZipEntry extends Readable {
  path: string;
  vars: { flags: number; uncompressedSize: number };
  autodrain(): unknown;
}
// exceljs's own zip reader (unzipper; it has no type declarations): the check sees the parts in
// the order, and with the contents, that exceljs will read them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const unzipper = require('unzipper') as { Parse(o: { forceStream: true }): NodeJS.ReadWriteStream & AsyncIterable<ZipEntry> };

const SI = Buffer.from('<si');

function tooBig(message: string): StatementFileError {
  return new StatementFileError(`The statement cannot be imported: (file) — ${message}; nothing was imported`, [{ path: '(file)', message }]);
}

/**
 * Unpacks every part of the workbook once, counting the bytes that actually come out (the sizes a
 * zip declares can lie), and refuses the file as soon as a limit is passed: before exceljs writes
 * or holds any of it. A part that declares more than its limit is refused without unpacking it.
 * Anything that is not a readable zip is left to exceljs, which names it.
 */
export async function checkXlsxBounds(input: Readable): Promise<void> {
  const zip = unzipper.Parse({ forceStream: true });
  input.on('error', (e) => zip.emit('error', e));
  input.pipe(zip);
  let parts = 0;
  let total = 0;
  try {
    for await (const entry of zip) {
      parts += 1;
      if (parts > XLSX_LIMITS.parts) throw tooBig(`the workbook has more than ${XLSX_LIMITS.parts} parts; a statement has a few dozen`);
      const shared = entry.path === 'xl/sharedStrings.xml';
      const limit = shared ? XLSX_LIMITS.sharedStringsBytes : XLSX_LIMITS.partBytes;
      const name = JSON.stringify(clip(entry.path));
      const over = () => tooBig(`the workbook part ${name} unpacks to more than ${limit} bytes, more than any statement needs`);
      const declared = entry.vars.uncompressedSize;
      // Bit 3: the sizes follow the data, the header's are zeros; 0xffffffff: they are in a zip64 field.
      if (!(entry.vars.flags & 0x08) && declared !== 0xffffffff && declared > limit) {
        entry.autodrain();
        throw over();
      }
      let bytes = 0;
      let strings = 0;
      let tail = Buffer.alloc(0);
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        total += chunk.length;
        if (bytes > limit) throw over();
        if (total > XLSX_LIMITS.totalBytes) throw tooBig(`the workbook unpacks to more than ${XLSX_LIMITS.totalBytes} bytes, more than any statement needs`);
        if (shared) {
          strings += count(chunk) + count(Buffer.concat([tail, chunk.subarray(0, SI.length - 1)]));
          tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - (SI.length - 1))));
          if (strings > XLSX_LIMITS.sharedStrings) throw tooBig(`the workbook has more than ${XLSX_LIMITS.sharedStrings} shared strings, more than any statement needs`);
        }
      }
    }
  } catch (e) {
    if (e instanceof StatementFileError) throw e;
    // Not a zip this reader can follow: exceljs reads it next and says what is wrong with it.
  } finally {
    input.unpipe(zip);
    input.destroy();
  }
}

function count(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(SI); i >= 0; i = b.indexOf(SI, i + SI.length)) n++;
  return n;
}
