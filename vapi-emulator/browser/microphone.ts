/** The microphone as Daily asks for it on join; a failure becomes Daily's `camera-error` payload. */
export async function acquireMicrophone(): Promise<{
  stream: MediaStream | null;
  cameraError?: Record<string, unknown>;
}> {
  const media = globalThis.navigator?.mediaDevices;
  if (!media?.getUserMedia) {
    return {
      stream: null,
      cameraError: cameraError("undefined-mediadevices", "navigator.mediaDevices is not available"),
    };
  }
  try {
    return { stream: await media.getUserMedia({ audio: true }) };
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    const message = error instanceof Error ? error.message : String(error);
    if (name === "NotAllowedError" || name === "SecurityError")
      return { stream: null, cameraError: cameraError("permissions", message) };
    if (name === "NotFoundError") return { stream: null, cameraError: cameraError("not-found", message) };
    return { stream: null, cameraError: cameraError("unknown", message) };
  }
}

function cameraError(type: string, msg: string): Record<string, unknown> {
  const error: Record<string, unknown> = { type, msg };
  if (type === "permissions") Object.assign(error, { blockedBy: "user", blockedMedia: ["audio"] });
  if (type === "not-found") error.missingMedia = ["audio"];
  return { errorMsg: { errorMsg: msg, audioOk: false, videoOk: false }, error };
}
