// Native form submission waits for cleaning: a form submitted while one of its
// file inputs is being cleaned is held, then submitted again with the cleaned files,
// once however often it was submitted meanwhile, and not at all if a file was held back.
import { listen } from '../lasting-listeners';
import { isForm } from './kinds';

export function holdSubmits(isBusy: (form: HTMLFormElement) => Promise<boolean> | undefined): void {
  const resubmitted = new WeakSet<Event>();
  /** Forms held, each with the submit button of its latest submit: sent once, as that one. */
  const held = new WeakMap<HTMLFormElement, { submitter: HTMLElement | null }>();
  listen(
    'submit',
    (event) => {
      const form = event.composedPath()[0];
      if (!isForm(form) || resubmitted.has(event)) return;
      const busy = isBusy(form);
      if (!busy) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      const submitter = (event as SubmitEvent).submitter;
      const already = held.get(form);
      if (already) {
        already.submitter = submitter; // "Save draft" after "Send": the last one asked for
        return;
      }
      const hold = { submitter };
      held.set(form, hold);
      void (async () => {
        // A newer selection made meanwhile has a job of its own: waited for too.
        let complete = true;
        for (let job: Promise<boolean> | undefined = busy; job; job = isBusy(form)) complete = await job;
        held.delete(form);
        // A file held back: the form is not sent without it. The notice names the file (and
        // offers to send it); the user sends the form again when it holds what they meant.
        if (!complete) return;
        // requestSubmit dispatches its submit event synchronously, or none when the form is
        // invalid: the marker must not outlive this call and let a later submit skip the hold.
        const again = (e: Event) => resubmitted.add(e);
        window.addEventListener('submit', again, { capture: true });
        try {
          const button = hold.submitter;
          form.requestSubmit(button && button.isConnected ? button : undefined);
        } finally {
          window.removeEventListener('submit', again, { capture: true });
        }
      })();
    },
    { capture: true },
  );
}
