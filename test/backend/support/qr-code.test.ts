/** Tests of the enrolment QR image: a PNG data URL that a QR reader decodes back to the key URI. */
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { QrCodeError, renderQrCodeDataUrl } from '../../../src/backend/support/qr-code';
import { createTotpEnrolment } from '../../../src/backend/support/totp';

const PREFIX = 'data:image/png;base64,';

function decode(dataUrl: string): { width: number; height: number; text: string | null } {
  expect(dataUrl.startsWith(PREFIX)).toBe(true);
  const png = PNG.sync.read(Buffer.from(dataUrl.slice(PREFIX.length), 'base64'));
  const found = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  return { width: png.width, height: png.height, text: found?.data ?? null };
}

describe('enrolment QR code', () => {
  it('draws the otpauth:// URI as a square PNG that a reader decodes back to the URI', async () => {
    const { uri } = createTotpEnrolment('agent.qr@vendor.example');
    const image = decode(await renderQrCodeDataUrl(uri));
    expect(image.width).toBe(image.height);
    expect(image.text).toBe(uri);
  });

  it('draws different URIs differently', async () => {
    const a = await renderQrCodeDataUrl(createTotpEnrolment('a@vendor.example').uri);
    const b = await renderQrCodeDataUrl(createTotpEnrolment('b@vendor.example').uri);
    expect(a).not.toBe(b);
  });

  it('refuses an empty text and one too long for a QR code', async () => {
    await expect(renderQrCodeDataUrl('')).rejects.toThrow(QrCodeError);
    await expect(renderQrCodeDataUrl('x'.repeat(5000))).rejects.toThrow(
      /5000-character text cannot be drawn/,
    );
  });
});
