/**
 * This file renders the Marketplace graphics from assets/icon.svg with Debian's Chromium:
 * icons of 32, 48, 96 and 128 px and the 220 × 140 banner, into assets/icons/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';

const ICON_SIZES = [32, 48, 96, 128];

async function main(): Promise<void> {
  const svg = fs.readFileSync(path.join(__dirname, '../assets/icon.svg'), 'utf8');
  const out = path.join(__dirname, '../assets/icons');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  try {
    for (const size of ICON_SIZES) {
      const page = await browser.newPage({ viewport: { width: size, height: size } });
      await page.setContent(
        `<body style="margin:0">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body>`,
      );
      await page.screenshot({ path: path.join(out, `icon-${size}.png`), omitBackground: true });
      await page.close();
    }
    const banner = await browser.newPage({ viewport: { width: 220, height: 140 } });
    await banner.setContent(
      `<body style="margin:0;width:220px;height:140px;background:#e8f0fe;display:flex;align-items:center;gap:12px;padding:0 16px;box-sizing:border-box;font:500 18px Roboto,Arial,sans-serif;color:#174ea6">` +
        `${svg.replace('<svg ', '<svg width="64" height="64" ')}<span>Shared<br>Contacts</span></body>`,
    );
    await banner.screenshot({ path: path.join(out, 'banner-220x140.png') });
  } finally {
    await browser.close();
  }
  console.log(`icons written to ${out}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
