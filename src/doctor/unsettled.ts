/** A9, A10, A11: what only a real distribution can show. Answered "unknown" with what to watch on the first run. */
import { check, type CheckDraft } from './types';

export function unsettledChecks(): CheckDraft[] {
  return [
    check.unknown('A9', 'a read-only look cannot tell', 'on the canary: if apps arrive before their custom property value is set (right after the deployment or IdP phase), setting up starts distributions; harmless, the tool does not rely on it'),
    check.unknown('A10', 'a read-only look cannot tell', 'on the first re-send (a copy still missing after distribution.resendAfter): if it does not arrive after the no-op app PUT, set distribution.resendWithReloadTask: true or the wait ends naming A10'),
    check.unknown('A11', 'a read-only look cannot tell', 'after a failed delivery (ExecutionResult status 8): if the copy arrives without a new trigger, the service retries by itself; the tool\'s own re-send is then harmless'),
  ];
}
