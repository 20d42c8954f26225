import { enforcesPortRange, protocolNumber, type ExposureWindow } from '../ports/index.js';
import type { ExposureWindowLike } from './overlay.js';

/** An exposure window as the overlay sees it, with the window it came from. */
export interface OverlayWindow extends ExposureWindowLike {
  source: ExposureWindow;
}

const OVERLAY_DIRECTION = { ingress: 'inbound', egress: 'outbound' } as const;

/**
 * Port windows → overlay windows. Ingress rules admit inbound connections, egress rules outbound
 * ones. A protocol whose range AWS does not enforce (sctp, all traffic) admits every port.
 * Which interfaces a group or ACL is attached to is not known here, so such a window covers every
 * interface (the overlay's rule).
 */
export function overlayWindows(windows: readonly ExposureWindow[]): OverlayWindow[] {
  return windows.map((w) => {
    const protocol = w.protocol === null || w.protocol === 'all' ? w.protocol : String(protocolNumber(w.protocol) ?? w.protocol);
    const ranged = w.protocol !== null && enforcesPortRange(w.protocol);
    return {
      source: w,
      resource: w.resource ?? '',
      direction: OVERLAY_DIRECTION[w.direction],
      openedAt: w.opened.eventTime ?? '',
      closedAt: w.closed?.eventTime ?? null,
      eventId: w.opened.eventId ?? '',
      fromPort: ranged ? w.fromPort : null,
      toPort: ranged ? w.toPort : null,
      protocol,
      accountId: w.opened.accountId,
      region: w.opened.region,
      resourceType: w.resourceType,
      peerCidr: w.peer.kind === 'cidr' ? w.peer.value : null,
      ...targetOf(w.ruleKey),
    };
  });
}

/** The instance a load-balancer target slot names (`target:i-…:8443`); an IP target names no instance. */
function targetOf(ruleKey: string | null): { instanceIds?: string[] } {
  const id = ruleKey?.startsWith('target:') ? ruleKey.split(':')[1] : undefined;
  return id?.startsWith('i-') ? { instanceIds: [id] } : {};
}
