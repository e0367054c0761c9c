// Native form submission waits for cleaning: a form submitted while one of its
// file inputs is being cleaned is held, then submitted again with the cleaned files,
// once however often it was submitted meanwhile, and not at all if a file was held back.
import { listen } from '../lasting-listeners';
import { isForm } from './kinds';

export function holdSubmits(isBusy: (form: HTMLFormElement) => Promise<boolean> | undefined): void {
  const resubmitted = new WeakSet<Event>();
  /** Forms held, to be sent once: a second submit meanwhile sent the form twice. */
  const held = new WeakSet<HTMLFormElement>();
  listen(
    'submit',
    (event) => {
      const form = event.composedPath()[0];
      if (!isForm(form) || resubmitted.has(event)) return;
      const busy = isBusy(form);
      if (!busy) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      if (held.has(form)) return;
      held.add(form);
      const submitter = (event as SubmitEvent).submitter;
      void busy.then((complete) => {
        held.delete(form);
        // A file held back: the form is not sent without it. The notice names the file (and
        // offers to send it); the user sends the form again when it holds what they meant.
        if (!complete) return;
        // requestSubmit dispatches its submit event synchronously, or none when the form is
        // invalid: the marker must not outlive this call and let a later submit skip the hold.
        const again = (e: Event) => resubmitted.add(e);
        window.addEventListener('submit', again, { capture: true });
        try {
          form.requestSubmit(submitter && submitter.isConnected ? submitter : undefined);
        } finally {
          window.removeEventListener('submit', again, { capture: true });
        }
      });
    },
    { capture: true },
  );
}
