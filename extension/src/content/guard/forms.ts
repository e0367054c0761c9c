// Native form submission waits for cleaning: a form submitted while one of its
// file inputs is being cleaned is held, then submitted again with the cleaned files.
import { listen } from '../lasting-listeners';
import { isForm } from './kinds';

export function holdSubmits(isBusy: (form: HTMLFormElement) => Promise<void> | undefined): void {
  const resubmitted = new WeakSet<Event>();
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
      void busy.then(() => {
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
