// A build plugin that removes Preact's only raw-HTML sink (`dangerouslySetInnerHTML`, which writes
// `innerHTML`). Our pages never use it; without the sink, no future code path can write untrusted
// HTML into an extension page, and Firefox's linter has no `innerHTML` assignment to warn about.
// It fails the build if the pattern is not found, so a Preact upgrade cannot bring the sink back.
const SINK = /\((\w+)\.innerHTML=(\w+)\.__html\)/g;

export function noRawHtml() {
  return {
    name: 'matrix-widget-bridge:no-raw-html',
    transform(code, id) {
      if (!/[\\/]node_modules[\\/]preact[\\/]dist[\\/]preact\.mjs$/.test(id)) return null;
      const replaced = code.replace(SINK, () => '(()=>{throw new Error("raw HTML is disabled in Matrix Widget Bridge")})()');
      if (replaced === code) throw new Error('no-raw-html: Preact’s innerHTML sink was not found; update scripts/no-raw-html.mjs');
      return { code: replaced, map: null };
    },
  };
}
