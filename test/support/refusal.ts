/** What a database write was refused with (its error's message), or 'allowed' when it went through. */
export async function refusalOf(write: PromiseLike<unknown>): Promise<string> {
  try {
    await write;
  } catch (e) {
    return (e as Error).message;
  }
  return 'allowed';
}
