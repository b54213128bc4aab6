/**
 * This file defines the QR image of an enrolment's `otpauth://` URI: a PNG drawn locally by the
 * `qrcode` library and returned as a `data:` URL, so the secret never goes to a third-party service.
 */
import QRCode from 'qrcode';

/** How the QR image is drawn: medium error correction, a 4-module quiet zone, 4 pixels a module. */
export const QR_CODE_OPTIONS = {
  errorCorrectionLevel: 'M',
  margin: 4,
  scale: 4,
} as const;

/** The text cannot be drawn as a QR code (empty, or more than a QR code holds). */
export class QrCodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QrCodeError';
  }
}

/**
 * Draws `text` (an enrolment's key URI) as a QR code and returns it as a `data:image/png;base64,…`
 * URL. The URL carries the TOTP secret: send it only in the enrolment response, never log it.
 * @throws QrCodeError when the text is empty or too long for a QR code.
 */
export async function renderQrCodeDataUrl(text: string): Promise<string> {
  if (text === '') throw new QrCodeError('There is nothing to draw as a QR code.');
  try {
    return await QRCode.toDataURL(text, { ...QR_CODE_OPTIONS, type: 'image/png' });
  } catch (error) {
    throw new QrCodeError(
      `A ${text.length}-character text cannot be drawn as a QR code: ${(error as Error).message}`,
    );
  }
}
