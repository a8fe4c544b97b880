export function installedElectronBinary(): string | null;
export function electronUnavailableReason(): string | null;
