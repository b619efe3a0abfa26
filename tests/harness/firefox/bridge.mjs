// Debian's firefox-esr, driven over WebDriver BiDi by puppeteer-core, for tests/harness/firefox.py.
// argv[2]: JSON {executablePath, userDataDir, prefs}. Then JSON lines: in on stdin
// {id, op: "goto"|"evaluate"|"viewport"|"close", ...}, out on stdout {id, value} or {id, error};
// lines without an id are events: {event: "console"|"pageerror", type, text}.
import readline from "node:readline";
import puppeteer from "puppeteer-core";

const config = JSON.parse(process.argv[2]);
const send = (message) => process.stdout.write(JSON.stringify(message) + "\n");

const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath: config.executablePath,
  headless: true,
  userDataDir: config.userDataDir,
  extraPrefsFirefox: config.prefs,
  defaultViewport: { width: 1280, height: 900 },
  protocolTimeout: 0, // the Python side bounds every wait
});
const page = (await browser.pages())[0] ?? (await browser.newPage());
page.on("console", (msg) => send({ event: "console", type: msg.type(), text: msg.text() }));
page.on("pageerror", (err) => send({ event: "pageerror", type: "error", text: String(err) }));

const ops = {
  goto: ({ url }) => page.goto(url, { waitUntil: "load", timeout: 0 }).then(() => null),
  // src: a function's source, called with arg in the page (Playwright's convention)
  evaluate: ({ src, arg }) =>
    page.evaluate(
      (src, arg) => {
        const value = (0, eval)(`(${src})`);
        return typeof value === "function" ? value(arg) : value;
      },
      src,
      arg ?? null,
    ),
  viewport: ({ width, height }) => page.setViewport({ width, height }).then(() => null),
  close: async () => {
    await browser.close();
    return null;
  },
};

send({ event: "ready", version: await browser.version() });
for await (const line of readline.createInterface({ input: process.stdin })) {
  const { id, op, ...args } = JSON.parse(line);
  try {
    send({ id, value: (await ops[op](args)) ?? null });
  } catch (err) {
    send({ id, error: String(err?.stack ?? err) });
  }
  if (op === "close") process.exit(0);
}
await browser.close();
