/** An IPP source's stored password is bound to its scheme, host and port, and to its pinned certificate. */
import { describe, expect, it } from 'vitest';
import { secretDestination } from '../../../main/core/secret-binding';
import { IppSourceConfig } from '../../../preload/contract/model';

const dest = (over: Record<string, unknown>) => secretDestination(IppSourceConfig.parse({ id: 'office', kind: 'ipp', url: 'ipps://printer.lan/ipp/print', ...over }));
const pin = 'B3:46:B9:E5:15:0A:E4:2D:B4:13:D7:A2:B3:C3:42:93:E9:3F:47:7D:1B:C3:AF:A1:D0:95:05:32:40:98:0E:41';

describe('where an IPP password may go', () => {
  it('changes when the pinned certificate is set or changed (the password must be entered again), not when it is written another way', () => {
    expect(dest({})).toBe('ipp ipps://printer.lan');
    expect(dest({ certificateSha256: pin })).not.toBe(dest({}));
    expect(dest({ certificateSha256: pin.replace(/:/g, '').toLowerCase() })).toBe(dest({ certificateSha256: pin }));
    expect(dest({ certificateSha256: 'ab'.repeat(32) })).not.toBe(dest({ certificateSha256: pin }));
  });
});
