import net from 'node:net';

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
  });
}

/** Throws naming every taken port and the variable that moves it. */
export async function requireFreePorts(wanted: Array<{ port: number; variable: string }>): Promise<void> {
  const taken: string[] = [];
  for (const w of wanted) if (!(await isFree(w.port))) taken.push(`port ${w.port} is in use (set ${w.variable} to use another)`);
  if (taken.length) {
    throw new Error(`${taken.join('; ')}. Is another \`npm start\` running? Stop it, or choose other ports.`);
  }
}
