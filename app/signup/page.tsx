import { SignUpForm } from "@/components/auth/sign-up-form";

export default function SignUpPage() {
  return (
    <section className="card narrow">
      <h1>Create your account</h1>
      <SignUpForm />
    </section>
  );
}
