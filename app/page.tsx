import Link from "next/link";

export default function Landing() {
  return (
    <section className="hero">
      <h1>Talk it through with an AI voice coach</h1>
      <p>
        Speak with your coach right in the browser. You pay only for the minutes you talk, in credits; a call never runs
        past what you hold.
      </p>
      <p className="actions">
        <Link className="button" href="/signup">
          Create an account
        </Link>
        <Link className="button secondary" href="/signin">
          Sign in
        </Link>
      </p>
    </section>
  );
}
