// vite's `?url` imports: the URL (path) of the emitted asset in the build.
declare module '*?url' {
  const url: string;
  export default url;
}
