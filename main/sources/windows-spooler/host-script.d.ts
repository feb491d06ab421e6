/** host.ps1, bundled as text (Vite's ?raw) and passed to PowerShell with -EncodedCommand. */
declare module '*.ps1?raw' {
  const text: string;
  export default text;
}
