import { ACTIONS, type Action } from './tree-schema.js';

export { ACTIONS, type Action };

/** 0 is the most severe (isolate), 3 the least (false-positive). */
export function actionSeverity(action: Action): number {
  return ACTIONS.indexOf(action);
}

/** Sort comparator: most severe first. */
export function compareActions(a: Action, b: Action): number {
  return actionSeverity(a) - actionSeverity(b);
}

/** The most severe of several actions (the overall outcome of a run); undefined when there are none. */
export function mostSevereAction(actions: Iterable<Action>): Action | undefined {
  let worst: Action | undefined;
  for (const action of actions) if (worst === undefined || compareActions(action, worst) < 0) worst = action;
  return worst;
}
