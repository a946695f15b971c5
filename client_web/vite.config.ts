import { defineConfig } from "vite";
import preact from "@preact/preset-vite";

// Three HTML apps plus the stable-named embed loader (`widget.js`). The server serves dist/ under a
// strict CSP, so nothing may be inlined: no inline scripts, no data: CSS/JS, no modulepreload polyfill.
export default defineConfig({
  plugins: [preact({ devToolsEnabled: false, prefreshEnabled: false })],
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2020",
    assetsInlineLimit: 0,
    cssCodeSplit: true,
    modulePreload: { polyfill: false },
    sourcemap: false,
    rollupOptions: {
      input: {
        seeker: "index.html",
        listener: "listener.html",
        supervisor: "supervisor.html",
        widget: "src/widget/loader.ts",
      },
      output: {
        entryFileNames: (chunk) => (chunk.name === "widget" ? "widget.js" : "assets/[name]-[hash].js"),
        chunkFileNames: "assets/[name]-[hash].js",
        assetFileNames: "assets/[name]-[hash][extname]",
      },
    },
  },
});
