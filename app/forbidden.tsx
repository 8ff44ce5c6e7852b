import Link from "next/link";

export default function Forbidden() {
  return (
    <section className="card narrow">
      <h1>Not allowed</h1>
      <p>This part of Coach Call is for operators only.</p>
      <Link href="/coach">Go to your coach</Link>
    </section>
  );
}
