// Evaluates code in the extension's content-script world of a Chromium page
// (an isolated world Playwright does not expose), through CDP.
export async function contentWorld(context, page) {
  const cdp = await context.newCDPSession(page);
  const contexts = [];
  cdp.on('Runtime.executionContextCreated', ({ context: c }) => contexts.push(c));
  await cdp.send('Runtime.enable');
  const mainFrame = (await cdp.send('Page.getFrameTree')).frameTree.frame.id;
  const world = contexts.find((c) => c.auxData?.type === 'isolated' && c.name === 'Traceless' && c.auxData.frameId === mainFrame);
  if (!world) throw new Error('the content script world was not found');
  return async (fn, arg) => {
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
      contextId: world.id, expression: `(${fn})(${JSON.stringify(arg ?? null)})`, awaitPromise: true, returnByValue: true,
    });
    if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
    return result.value;
  };
}
