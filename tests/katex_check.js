// Reads a JSON list of {tex, display, where} from stdin; prints one line per fragment
// KaTeX cannot render ("where: message") and exits 1 if there was any.
const katex = require("katex");
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  let bad = 0;
  for (const { tex, display, where } of JSON.parse(input)) {
    try {
      katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: "error" });
    } catch (err) {
      bad += 1;
      console.log(`${where}: ${err.message}`);
    }
  }
  process.exit(bad ? 1 : 0);
});
