"use client";
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { DailyPoint } from "@/lib/dashboard/types";

/** Two axes: what Vapi charged us (USD) against what we billed (credits); there is no price per credit yet. */
export function CostRevenueChart({ data }: { data: DailyPoint[] }) {
  return (
    <div className="dash-chart" role="img" aria-label="Vapi cost in USD against credits billed, per day">
      <ResponsiveContainer width="100%" height={260}>
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} minTickGap={16} />
          <YAxis yAxisId="credits" width={56} />
          <YAxis yAxisId="usd" orientation="right" width={56} tickFormatter={(v: number) => `$${v}`} />
          <Tooltip />
          <Legend />
          <Bar
            yAxisId="credits"
            dataKey="creditsBilled"
            name="Credits billed"
            fill="#13795b"
            isAnimationActive={false}
          />
          <Line
            yAxisId="usd"
            dataKey="vapiCostUsd"
            name="Vapi cost (USD)"
            stroke="#c4321f"
            dot={false}
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
