import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { compression } from 'vite-plugin-compression2';

// Built into web/dist, which Django serves at / (WhiteNoise); nothing is loaded from another host.
export default defineConfig({
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  plugins: [
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.js',
      injectRegister: false,
      injectManifest: { rollupFormat: 'iife', globPatterns: ['**/*.{js,css,html,png,svg,webmanifest}'] },
      manifest: {
        id: '/',
        name: 'Rehab Tracker',
        short_name: 'Rehab',
        description: 'Your Achilles tendon exercise program: log each set, check in each morning.',
        start_url: '/today',
        scope: '/',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#0b5d55',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
    }),
    // .gz and .br beside each text file: WhiteNoise sends them to a browser that accepts them.
    compression({ include: /\.(html|css|js|svg|webmanifest)$/, threshold: 512, logLevel: 'silent' }),
  ],
});
