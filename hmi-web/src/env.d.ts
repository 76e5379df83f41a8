/// <reference types="vite/client" />

/** The hmi-web package version, set by vite.config.ts. */
declare const __HMI_VERSION__: string;
