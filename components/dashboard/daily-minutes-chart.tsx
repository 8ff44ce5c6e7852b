"use client";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { DailyPoint } from "@/lib/dashboard/types";

export function DailyMinutesChart({ data }: { data: DailyPoint[] }) {
  return (
    <div className="dash-chart" role="img" aria-label="Minutes used per day, last 30 days">
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} minTickGap={16} />
          <YAxis width={48} />
          <Tooltip formatter={(v) => [`${v} min`, "Minutes used"]} />
          <Bar dataKey="minutes" fill="#3656d8" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
