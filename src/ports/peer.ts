import { formatPrefix } from '../net/address.js';
import { isInternetPrefix, parseRuleCidr, prefixReach } from './cidr.js';

/**
 * The other end of a rule. Only a CIDR can be judged from the event itself: a prefix list
 * (`pl-…`) or a security-group reference (`sg-…`) stands for addresses the event does not show,
 * and `any` is what listeners and accelerators admit (whoever can reach their address).
 */
export type PeerKind = 'cidr' | 'prefix-list' | 'security-group' | 'any';

export interface Peer {
  kind: PeerKind;
  /** The CIDR as written, the `pl-…` / `sg-…` id (with `owner/` for cross-account groups), or `*`. */
  value: string;
}

export const ANY_PEER: Peer = { kind: 'any', value: '*' };

export interface PeerJudgement {
  internetExposed: boolean;
  /** Words for the `why` column. */
  reason: string;
}

/**
 * Whether a peer means "the internet". `anyIsInternet` says whether an `any` peer is (a Global
 * Accelerator is) or depends on things outside the event (an ELB listener: its scheme and groups).
 */
export function judgePeer(peer: Peer, anyIsInternet = false): PeerJudgement {
  switch (peer.kind) {
    case 'cidr': {
      const cidr = parseRuleCidr(peer.value);
      if (!cidr.ok) return { internetExposed: false, reason: `peer ${peer.value} is not a valid CIDR` };
      const reach = prefixReach(cidr.value);
      const effective = cidr.hostBitsSet ? ` (effective ${formatPrefix(cidr.value)}: host bits are ignored by AWS)` : '';
      const words: Record<typeof reach, string> = {
        anywhere: 'is the whole address family',
        'broad-public': 'is a broad public range',
        public: 'is a public range narrower than the internet-exposure threshold',
        private: 'is private / non-global address space',
      };
      return { internetExposed: isInternetPrefix(cidr.value), reason: `peer ${peer.value}${effective} ${words[reach]}` };
    }
    case 'prefix-list':
      return { internetExposed: false, reason: `peer is prefix list ${peer.value}, whose entries the event does not show` };
    case 'security-group':
      return { internetExposed: false, reason: `peer is security group ${peer.value} (members of that group, not the internet)` };
    case 'any':
      return anyIsInternet
        ? { internetExposed: true, reason: 'admits any client (public endpoint)' }
        : {
            internetExposed: false,
            reason: 'admits any client that can reach it; whether that is the internet depends on its scheme and security groups, not in this event',
          };
  }
}
