// Which files the guard looks at. Shared with the main-world script, so it
// depends on nothing.

/** Types and names worth a look: the engine decides by content, this only spares other files. */
const IMAGE_NAME = /\.(jpe?g|jfif|png|apng|webp|gif|heic|heif|avif|tiff?|bmp|jxl)$/i;

export function looksLikeImage(file: File): boolean {
  return file.type.startsWith('image/') || IMAGE_NAME.test(file.name);
}
