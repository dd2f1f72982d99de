import { serve, launch } from "/work/main/tests/browser/harness.mjs";
const server = await serve(); const browser = await launch();
const page = await browser.newPage(); await page.goto(server.url + "exp.html");
await page.setInputFiles("#file", process.argv[2]);
await page.waitForFunction(() => document.body.dataset.result, null, { timeout: 600000 });
console.log(await page.evaluate(() => document.body.dataset.result));
await browser.close(); await server.close();
