import { NextResponse, type NextRequest } from "next/server";
import { getToken } from "next-auth/jwt";

// The first gate only: pages, actions and routes check the session and role again in lib/auth.
export async function proxy(request: NextRequest) {
  const token = await getToken({ req: request, secret: process.env.NEXTAUTH_SECRET });
  const { pathname } = request.nextUrl;
  if (!token) {
    if (pathname.startsWith("/api/")) return NextResponse.json({ error: "Please sign in." }, { status: 401 });
    const signIn = new URL("/signin", request.url);
    signIn.searchParams.set("callbackUrl", pathname);
    return NextResponse.redirect(signIn);
  }
  // A page is let through: its layout and the page itself refuse a non-operator with the app's own
  // 403 page (app/forbidden.tsx), in the app's layout. The API answers JSON, as its routes do.
  if (pathname.startsWith("/api/dashboard") && token.role !== "OPERATOR") {
    return NextResponse.json({ error: "Operators only." }, { status: 403 });
  }
  return NextResponse.next();
}

export const config = { matcher: ["/coach/:path*", "/dashboard/:path*", "/api/dashboard/:path*"] };
