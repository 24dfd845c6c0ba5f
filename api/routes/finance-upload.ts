import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, RequestHandler } from 'express';
import busboy from 'busboy';
import { parse as parseContentType } from 'content-type';
import { ApiError } from '../errors';

/**
 * Statement uploads, streamed to a temporary file (never held in memory) while their SHA-256 is
 * computed. Two ways to send one:
 *  - multipart/form-data: fields `quarter`, `bankId` (optional `encoding`) and one file part `file`
 *    (busboy: the maintained streaming multipart parser that multer is built on);
 *  - the file itself as the body (text/csv, an XLSX type or application/octet-stream), with the
 *    fields in the query string.
 * The route's body schema then checks `req.body` = the fields + {fileName, fileSha256, fileBytes};
 * the hash makes the Idempotency-Key cover the file's content. The file is removed when the
 * response is done, whatever happened.
 */
export const MAX_STATEMENT_BYTES = 512 * 1024 * 1024;

export interface UploadedFile {
  path: string;
  name: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      upload?: UploadedFile;
    }
  }
}

class Limit extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > MAX_STATEMENT_BYTES) return cb(new ApiError('VALIDATION_FAILED', 'The statement file is too large', [{ path: 'file', message: `at most ${MAX_STATEMENT_BYTES} bytes` }], 413));
    this.hash.update(chunk);
    cb(null, chunk);
  }
}

/**
 * Writes the source to `dir`. Over the limit, the rest of the source is read and dropped rather
 * than the source destroyed: destroying a request (or busboy's file stream, which then never
 * ends its form) would reset the connection, or leave it hanging, instead of answering 413.
 */
async function spool(source: NodeJS.ReadableStream, dir: string): Promise<{ path: string; sha256: string; bytes: number }> {
  const file = path.join(dir, 'statement');
  const limit = new Limit();
  source.on('error', (e) => limit.destroy(e));
  source.pipe(limit);
  try {
    await pipeline(limit, fs.createWriteStream(file));
  } catch (e) {
    source.unpipe(limit);
    source.resume();
    throw e;
  }
  return { path: file, sha256: limit.hash.digest('hex'), bytes: limit.bytes };
}

function multipart(req: Request, dir: string): Promise<{ fields: Record<string, string>; file?: { path: string; name: string; sha256: string; bytes: number } }> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      // File names without an explicit charset are read as UTF-8 (busboy's default is Latin-1).
      bb = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { files: 1, fields: 20, fieldSize: 10_000 } });
    } catch (e) {
      return reject(new ApiError('VALIDATION_FAILED', `Malformed multipart request: ${(e as Error).message}`, [{ path: '(body)', message: 'malformed multipart' }]));
    }
    // No prototype: a field named __proto__ is just an unknown field, for the schema to refuse.
    const fields: Record<string, string> = Object.create(null);
    let file: Promise<{ path: string; name: string; sha256: string; bytes: number }> | undefined;
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('file', (name, stream, info) => {
      if (name !== 'file' || file) {
        stream.resume();
        return;
      }
      file = spool(stream, dir).then((f) => ({ ...f, name: info.filename || 'statement' }));
      // Refused at once (413): the rest of the form is read and dropped, never written.
      file.catch(reject);
    });
    bb.on('error', (e) => reject(new ApiError('VALIDATION_FAILED', `Malformed multipart request: ${(e as Error).message}`, [{ path: '(body)', message: 'malformed multipart' }])));
    bb.on('close', () => {
      if (!file) return resolve({ fields });
      file.then((f) => resolve({ fields, file: f }), reject);
    });
    req.pipe(bb);
  });
}

const STATEMENT_CHARSETS = ['utf-8', 'gb18030'];

const RAW_TYPES = /^(text\/csv|text\/plain|application\/csv|application\/octet-stream|application\/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet|application\/vnd\.ms-excel)\b/i;

export const statementUpload: RequestHandler = async (req, res, next) => {
  let dir: string | undefined;
  const cleanup = () => {
    if (dir) fs.rm(dir, { recursive: true, force: true }, () => undefined);
  };
  res.on('close', cleanup);
  try {
    const type = req.headers['content-type'] ?? '';
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity') {
      const message = `Content-Encoding "${encoding}" is not supported for a statement: send the file uncompressed`;
      throw new ApiError('VALIDATION_FAILED', message, [{ path: 'Content-Encoding', message }], 415);
    }
    const charset = type ? parseContentType(type).parameters.charset?.toLowerCase() : undefined;
    if (charset !== undefined && !STATEMENT_CHARSETS.includes(charset)) {
      const message = `charset "${charset}" is not supported: a statement is utf-8 or gb18030 (say which in the field "encoding")`;
      throw new ApiError('VALIDATION_FAILED', message, [{ path: 'Content-Type', message }], 415);
    }
    const query = Object.fromEntries(Object.entries(req.query).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    if (/^multipart\/form-data/i.test(type)) {
      dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'loanflow-upload-'));
      const { fields, file } = await multipart(req, dir);
      if (!file) throw new ApiError('VALIDATION_FAILED', 'No statement file: send it as the form part "file"', [{ path: 'file', message: 'required' }]);
      req.upload = { path: file.path, name: file.name };
      req.body = { ...query, ...fields, fileName: file.name, fileSha256: file.sha256, fileBytes: file.bytes };
    } else if (RAW_TYPES.test(type)) {
      dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'loanflow-upload-'));
      const file = await spool(req, dir);
      const name = typeof req.headers['x-file-name'] === 'string' ? req.headers['x-file-name'] : 'statement';
      req.upload = { path: file.path, name };
      // The body's charset is the file's: it says the encoding, unless the query says it too and differently.
      if (charset !== undefined && query.encoding !== undefined && query.encoding.toLowerCase() !== charset) {
        const message = `charset "${charset}" and encoding "${query.encoding}" disagree: say the file's encoding once`;
        throw new ApiError('VALIDATION_FAILED', message, [{ path: 'encoding', message }]);
      }
      req.body = { ...query, ...(charset !== undefined && query.encoding === undefined ? { encoding: charset } : {}), fileName: name, fileSha256: file.sha256, fileBytes: file.bytes };
    } else {
      throw new ApiError('VALIDATION_FAILED', 'Send the statement as multipart/form-data (part "file") or as the body with Content-Type text/csv or the XLSX type', [
        { path: 'file', message: 'required' },
      ]);
    }
    next();
  } catch (e) {
    next(e);
  }
};
