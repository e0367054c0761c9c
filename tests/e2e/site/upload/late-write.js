// An async script's document.write(): the browser ignores it.
document.write('<p id="from-async">written by an async script</p>');
window.writes.push('async');
