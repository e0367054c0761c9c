// Runs in the page's own world, before the page's scripts: the one thing the
// isolated content script cannot do. A file input that was never attached to a
// document (`document.createElement('input').click()`) sends its input and
// change events nowhere the guard listens; when the page opens its file
// chooser, the input is first put in a hidden holder inside the document, so
// those events pass the guard's window listeners like any other.
//
// Nothing here talks to the extension: it only moves the page's own element.
(() => {
  const proto = HTMLInputElement.prototype;
  const click = proto.click;
  const showPicker = proto.showPicker;
  let holder: HTMLElement | undefined;

  function adopt(input: HTMLInputElement): void {
    if (input.type !== 'file' || input.isConnected) return;
    if (!holder || !holder.isConnected) {
      holder = document.createElement('traceless-inputs');
      holder.hidden = true;
      (document.body ?? document.documentElement).append(holder);
    }
    holder.append(input);
  }

  proto.click = function (this: HTMLInputElement) {
    adopt(this);
    return click.call(this);
  };
  if (showPicker) {
    proto.showPicker = function (this: HTMLInputElement) {
      adopt(this);
      return showPicker.call(this);
    };
  }
})();
