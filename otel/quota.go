package rscotel

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/rscgo/rscgo/rsc"
)

// ObserveQuota reports client's daily quota use (rsc.Client.Quotas: every
// throttle counter used today) as the gauges rsc.quota.used and
// rsc.quota.limit, with the customer, the bucket and the counter, at each
// collection of the meter provider, until stop is called. Call it once per
// customer client.
func (in *Instrumentation) ObserveQuota(customerID string, client *rsc.Client) (stop func() error, err error) {
	cust := attribute.String("rsc.customer", customerID)
	reg, err := in.meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		for _, q := range client.Quotas() {
			attrs := metric.WithAttributes(cust, bucket(q.Bucket), attribute.String("rsc.quota.counter", q.Counter))
			o.ObserveInt64(in.m.quotaUsed, int64(q.Used), attrs)
			if q.Limit > 0 {
				o.ObserveInt64(in.m.quotaLimit, int64(q.Limit), attrs)
			}
		}
		return nil
	}, in.m.quotaUsed, in.m.quotaLimit)
	if err != nil {
		return nil, err
	}
	return reg.Unregister, nil
}
