import { NextResponse, type NextRequest } from "next/server";
import { getToken } from "next-auth/jwt";
import { dropUntrustedForwardedFor } from "@/lib/http/client-ip";
import { contentSecurityPolicy, newNonce, securityHeaders } from "@/lib/http/security-headers";

const SIGNED_IN_ONLY = ["/coach", "/dashboard", "/api/dashboard"];

const under = (pathname: string, prefix: string) => pathname === prefix || pathname.startsWith(`${prefix}/`);

// Next matches routes on the decoded path as well, so an encoded path must not slip past the gate.
function decoded(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

// The first gate only: pages, actions and routes check the session and role again in lib/auth.
async function gate(request: NextRequest, pathname: string): Promise<NextResponse | null> {
  if (!SIGNED_IN_ONLY.some((prefix) => under(pathname, prefix))) return null;
  const token = await getToken({ req: request, secret: process.env.NEXTAUTH_SECRET });
  if (!token) {
    if (pathname.startsWith("/api/")) return NextResponse.json({ error: "Please sign in." }, { status: 401 });
    const signIn = new URL("/signin", request.url);
    signIn.searchParams.set("callbackUrl", request.nextUrl.pathname);
    return NextResponse.redirect(signIn);
  }
  // A page is let through: its layout and the page itself refuse a non-operator with the app's own
  // 403 page (app/forbidden.tsx), in the app's layout. The API answers JSON, as its routes do.
  if (under(pathname, "/api/dashboard") && token.role !== "OPERATOR") {
    return NextResponse.json({ error: "Operators only." }, { status: 403 });
  }
  return null;
}

function passOn(request: NextRequest, policy: string): NextResponse {
  const headers = new Headers(request.headers);
  // Next takes the nonce for its own scripts from the request's policy.
  headers.set("content-security-policy", policy);
  dropUntrustedForwardedFor(headers);
  return NextResponse.next({ request: { headers } });
}

export async function proxy(request: NextRequest) {
  const https = new URL(process.env.APP_URL ?? "http://localhost:3000").protocol === "https:";
  const policy = contentSecurityPolicy({
    nonce: newNonce(),
    vapiApiUrl: process.env.VAPI_API_URL ?? "http://localhost:4010",
    dev: process.env.NODE_ENV === "development",
    https,
  });
  const response = (await gate(request, decoded(request.nextUrl.pathname))) ?? passOn(request, policy);
  response.headers.set("content-security-policy", policy);
  for (const [name, value] of Object.entries(securityHeaders({ https }))) response.headers.set(name, value);
  return response;
}

// Two routes answer machines, not browsers, and skip the proxy's cost (for a POST, Next copies the
// body for it): /api/live, the load balancers' probe and the webhook benchmark's baseline, and
// Vapi's messages, which need the proxy only to drop a forged X-Forwarded-For.
export const config = {
  matcher: [
    "/((?!_next/static|_next/image|favicon.ico|api/live|api/vapi/webhook).*)",
    { source: "/api/vapi/webhook", has: [{ type: "header", key: "x-forwarded-for" }] },
  ],
};
