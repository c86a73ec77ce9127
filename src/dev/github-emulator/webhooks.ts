// Webhook delivery as GitHub does it: JSON body, X-GitHub-Event, X-GitHub-Delivery, and the HMAC-SHA256
// signature of the exact body in X-Hub-Signature-256 (plus the legacy SHA-1 one).
import { createHmac, randomUUID } from 'node:crypto';

export interface WebhookDelivery {
  id: string;
  event: string;
  url: string;
  payload: unknown;
  status: number;
  responseBody: string;
}

export function signWebhook(secret: string, body: string): { sha256: string; sha1: string } {
  return {
    sha256: `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    sha1: `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
  };
}

export interface DeliverOptions {
  url: string;
  secret: string;
  event: string;
  payload: Record<string, unknown>;
  hookId: number;
  installationTargetId: number;
  id?: string;
}

/** POSTs one delivery and reports what the receiver answered (a failed connection is status 0). */
export async function deliverWebhook(options: DeliverOptions): Promise<WebhookDelivery> {
  const id = options.id ?? randomUUID();
  const body = JSON.stringify(options.payload);
  const signature = signWebhook(options.secret, body);
  try {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'GitHub-Hookshot/claw-emulator',
        'x-github-event': options.event,
        'x-github-delivery': id,
        'x-github-hook-id': String(options.hookId),
        'x-github-hook-installation-target-type': 'integration',
        'x-github-hook-installation-target-id': String(options.installationTargetId),
        'x-hub-signature-256': signature.sha256,
        'x-hub-signature': signature.sha1,
      },
      body,
    });
    return {
      id,
      event: options.event,
      url: options.url,
      payload: options.payload,
      status: response.status,
      responseBody: await response.text(),
    };
  } catch (error) {
    return {
      id,
      event: options.event,
      url: options.url,
      payload: options.payload,
      status: 0,
      responseBody: String(error),
    };
  }
}
