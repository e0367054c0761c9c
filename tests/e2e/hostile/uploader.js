// The honest half of every attack page: an ordinary uploader with a file input
// (#file) and a drop zone (#zone) that send what they receive with `honest()`.
// It uses the page's built-ins as any site script does, so the attacks' traps
// see everything it touches.
(() => {
  const input = document.getElementById('file');
  if (input) input.addEventListener('change', () => honest([...input.files]));
  const zone = document.getElementById('zone');
  if (zone) {
    zone.addEventListener('dragover', (e) => e.preventDefault());
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      honest([...e.dataTransfer.files]);
    });
  }
})();
