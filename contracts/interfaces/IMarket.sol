// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ICarbonCredits} from "./ICarbonCredits.sol";
import {IGreenCertificates} from "./IGreenCertificates.sol";

/// @title CCEX market: compute, bandwidth and green power traded as one bundle
/// @notice Suppliers post offers, buyers post bids with escrow, the matcher settles batches of
/// matches into deals, and deals run report → confirm | dispute → finalise (or cancel when the
/// compute supplier never reports, or finalise as reported when a dispute outlives its
/// arbitration period). Every limit a match must respect comes from the orders
/// themselves, so the matcher can at worst choose among prices inside every party's limits.
/// @dev Units (`protocol/units.ts`): VCU-hours, Wh, settlement-token base units, unix seconds,
/// bps (1/10,000), PUE in thousandths, emission factors in gCO2e/kWh, credits in gCO2e.
///
/// Hours (docs/market-rules.md, "Hours"): windows, jobs and certificates are whole UTC hours. A
/// compute offer sells `vcu` units in each hour of its window, a link `mbps` in each hour; a bid's job
/// of `vcu` units runs `durationHours` consecutive hours, its start fixed by its first match; energy
/// lots are Wh of named device-hours inside the job's hours, at most the job's need in each hour.
///
/// The market also has OpenZeppelin's `multicall(bytes[])`: a supplier reports many deals, or a
/// keeper finalises many, in one transaction (each call keeps the caller's own permissions).
///
/// Deals are stored as one slot: status, whether the report is flagged, the time they entered the
/// status and a 200-bit digest of their
/// terms (and, once reported, of the usage report). Every deal action takes the terms (as emitted in
/// {DealOpened}) and, after the report, the report (as emitted in {UsageReported}) back as calldata.
interface IMarket {
    // ─── Types ───────────────────────────────────────────────────────────────────────────────────

    /// @notice Lifecycle of a deal (same order as `protocol/orders.ts` DEAL_STATUSES).
    enum DealStatus {
        Active,
        Reported,
        Disputed,
        Finalized,
        Cancelled
    }

    /// @notice The four kinds of orders, named in errors about an order.
    enum OrderKind {
        Bid,
        ComputeOffer,
        EnergyOffer,
        BandwidthOffer
    }

    /// @notice Where a bid's certificates may come from, judged against the compute region
    /// (`protocol/orders.ts` CERTIFICATE_ORIGINS; docs/carbon-accounting.md, "Where certificates come from").
    enum CertificateOrigin {
        ComputeRegion, // generated in the compute region itself
        GridArea, // generated in the regional grid the compute region sits in
        Anywhere
    }

    /// @notice Why `settle` skipped a match ({MatchSkipped}); `None` is never emitted.
    enum SkipReason {
        None,
        ZeroQuantity, // vcu or an energy lot's Wh is zero
        BidNotOpen, // unknown, cancelled or fully filled
        BidExpired,
        BidQuantityExceeded, // vcu > the bid's remaining VCU
        ComputeOfferNotOpen,
        ComputeOfferExpired,
        ComputeCapacityExceeded, // some job hour's used VCU + vcu > the offer's vcu
        HardwareClassMismatch,
        WindowNotCovered, // the job's hours are not inside the compute offer's window
        RegionNotAccepted, // the compute region is not in the bid's acceptable regions
        ComputePaymentBelowReserve,
        EnergyLotsNotAscending, // lots must be in strictly ascending (offerId, hour) order
        EnergyOfferNotOpen,
        EnergyOfferExpired,
        EnergyQuantityExceeded, // more Wh than the offer has left in that hour (0 outside its hours)
        EnergyPaymentBelowReserve,
        GreenShareBelowMinimum, // Σ lots' Wh < minGreenBps × needPerHour × durationHours
        GreenAboveNeed, // some hour's lots exceed the job's need in that hour
        BandwidthMissing, // compute region ≠ buyer region and no bandwidth offer
        BandwidthNotNeeded, // same region, yet a bandwidth offer or payment
        BandwidthOfferNotOpen,
        BandwidthOfferExpired,
        BandwidthRouteMismatch, // the link does not join the buyer's and the compute region
        BandwidthWindowNotCovered, // the job's hours are not inside the link's window
        BandwidthCapacityExceeded, // some job hour's reserved Mbps + the bid's > the link's Mbps
        LatencyAboveMaximum,
        BandwidthPaymentBelowReserve,
        PriceAboveLimit, // payments + fee > the bid's limit × vcu × durationHours
        MatcherIsParty, // the caller of `settle` is the buyer or a supplier of the match
        EnergyDeviceSuspended, // a lot's certificates come from a device the registrar suspended
        StartOutsideWindow, // start not on the hour, before earliestStart, or start + duration > latestEnd
        StartMismatch, // the bid's start is already fixed by an earlier match, at another hour
        LotOutsideJobHours, // a lot's hour is not one of the job's hours
        OriginNotAccepted, // a lot's device is outside what the bid's certificateOrigin allows
        StartPassed // the job's start hour is before the block's time: it would start before it is settled
    }

    /// @notice The market parameters the admin changes through a delayed schedule
    /// ({scheduleParameterChange}); GridFactor is keyed by region, SourceFactor by generation source,
    /// the others take key 0.
    enum Parameter {
        Fee,
        ChallengePeriod,
        ReportGracePeriod,
        ArbitrationPeriod,
        GridFactor,
        SourceFactor
    }

    /// @notice A compute supplier's offer as stored (two slots): `vcu` units in every hour of its
    /// window; the VCU used per hour are kept apart ({computeUsedOf}).
    struct ComputeOffer {
        address supplier;
        uint8 hardwareClass; // index into HARDWARE_CLASSES
        uint8 region;
        uint16 pueMilli; // facility PUE × 1000, ≥ 1000
        uint40 expiry; // matches need block.timestamp < expiry
        uint40 windowStart; // [windowStart, windowEnd), on the hour
        uint40 windowEnd;
        uint32 vcu; // capacity in every hour; 0 once cancelled
        uint32 whPerVcuHour; // IT energy per VCU-hour, before PUE
        uint96 reservePricePerVcuHour;
    }

    /// @notice An energy supplier's offer of forward Wh of named hours of one device, as stored (two
    /// slots); the Wh left per hour are kept apart ({energyRemainingOf}).
    struct EnergyOffer {
        address supplier;
        uint32 deviceId;
        IGreenCertificates.EnergySource source; // copied from the device
        uint8 region; // generation region, copied from the device
        uint40 expiry;
        uint40 firstHour; // the offer's hours are [firstHour, firstHour + hourCount × 3600)
        uint16 hourCount; // 0 once cancelled
        uint96 reservePricePerKwh;
    }

    /// @notice A network supplier's offer of a link between two regions (either direction), as stored:
    /// `mbps` in every hour of its window; the Mbps reserved per hour are kept apart ({bandwidthUsedOf}).
    struct BandwidthOffer {
        address supplier;
        uint8 fromRegion;
        uint8 toRegion;
        uint16 latencyMs; // guaranteed bound
        uint40 expiry;
        uint40 windowStart; // on the hour
        uint40 windowEnd;
        uint32 mbps; // capacity in every hour; 0 once cancelled
        uint96 reservePricePerMbpsHour;
    }

    /// @notice A buyer's bid as stored (three slots); remainingVcu × durationHours × limit is held in escrow.
    struct Bid {
        address buyer;
        uint8 hardwareClass;
        uint8 buyerRegion; // where results are consumed; other compute regions need bandwidth
        uint16 minGreenBps;
        uint16 maxLatencyMs;
        CertificateOrigin certificateOrigin;
        uint40 expiry;
        uint40 earliestStart; // the job runs inside [earliestStart, latestEnd), on the hour
        uint40 latestEnd;
        uint16 durationHours;
        uint32 remainingVcu;
        uint40 start; // 0 until the first match fixes it; every match of the bid uses it
        uint24 bandwidthMbps;
        uint48 linkId; // the first bandwidth offer the bid reserved Mbps on (0 = none yet)
        uint80 limitPricePerVcuHour; // all-in: compute + energy + bandwidth + platform fee
        uint32 acceptableRegions; // bit r set ⇔ compute region r accepted (regions 1 .. MAX_REGION)
        // The terms in force when the bid was posted, fixed for every deal it opens: a later
        // parameter change never shortens a buyer's protection nor raises its fee.
        uint32 challengePeriod;
        uint32 reportGracePeriod;
        uint16 feeBps;
    }

    /// @notice What a compute supplier posts.
    struct ComputeOfferParams {
        uint8 hardwareClass;
        uint8 region;
        uint40 windowStart;
        uint40 windowEnd;
        uint32 vcu; // units available at the same time, in every hour of the window
        uint96 reservePricePerVcuHour;
        uint32 whPerVcuHour;
        uint16 pueMilli;
        uint40 expiry;
    }

    /// @notice What an energy supplier posts: Wh of consecutive hours of one device it owns, hour i
    /// starting at firstHour + i × 3600 (hours with 0 Wh are not offered).
    struct EnergyOfferParams {
        uint32 deviceId;
        uint40 firstHour;
        uint64[] whPerHour;
        uint96 reservePricePerKwh;
        uint40 expiry;
    }

    /// @notice What a network supplier posts.
    struct BandwidthOfferParams {
        uint8 fromRegion;
        uint8 toRegion;
        uint32 mbps; // in every hour of the window
        uint16 latencyMs;
        uint40 windowStart;
        uint40 windowEnd;
        uint96 reservePricePerMbpsHour;
        uint40 expiry;
    }

    /// @notice What a buyer posts: a job of `vcu` units for `durationHours` consecutive hours inside
    /// [earliestStart, latestEnd); vcu × durationHours × limitPricePerVcuHour is pulled into escrow.
    struct BidParams {
        uint8 hardwareClass;
        uint32 acceptableRegions;
        uint8 buyerRegion;
        uint40 earliestStart;
        uint40 latestEnd;
        uint16 durationHours;
        uint32 vcu;
        uint80 limitPricePerVcuHour;
        uint16 minGreenBps;
        uint8 certificateOrigin; // a CertificateOrigin, as uint8 so that an unknown value gets a named error
        uint24 bandwidthMbps;
        uint16 maxLatencyMs;
        uint40 expiry;
    }

    /// @notice Wh of one hour bought from one energy offer for one match (`protocol/orders.ts` EnergyLot).
    struct EnergyLot {
        uint256 offerId;
        uint40 hour; // the hour's start, unix seconds
        uint256 wh;
        uint256 payment;
    }

    /// @notice One bundle the matcher proposes (`protocol/orders.ts` Match): `vcu` units of the bid's
    /// job from `start` for its durationHours.
    struct Match {
        uint256 bidId;
        uint256 computeOfferId;
        uint40 start;
        uint256 vcu;
        uint256 computePayment;
        EnergyLot[] energyLots;
        uint256 bandwidthOfferId; // 0 = none
        uint256 bandwidthPayment;
    }

    /// @notice One energy lot as fixed in a deal's terms.
    struct DealEnergyLot {
        uint256 offerId;
        address supplier;
        uint256 deviceId;
        uint40 hour; // the hour's start; the certificate id is deviceId << 32 | hour / 3600
        uint256 wh;
        uint256 payment;
        uint16 sourceFactor; // gCO2e/kWh of the device's source at opening
    }

    /// @notice Everything fixed when a deal opens; emitted in {DealOpened} and passed back on every
    /// deal action (its digest is what the market stores).
    struct DealTerms {
        uint256 bidId;
        address buyer;
        uint256 computeOfferId;
        address computeSupplier;
        uint8 computeRegion;
        uint40 start; // the job's hours are [start, start + durationHours × 3600)
        uint16 durationHours;
        uint256 vcu;
        uint256 computePayment;
        uint256 needPerHourWh; // vcu × whPerVcuHour × pueMilli / 1000: facility energy per job hour
        DealEnergyLot[] energyLots; // ascending (offerId, hour)
        uint256 bandwidthOfferId; // 0 = none
        address bandwidthSupplier;
        uint256 bandwidthMbps; // reserved in the job's hours (0 when an earlier match of the bid reserved it)
        uint256 bandwidthPayment;
        uint256 fee; // platform fee at full delivery; accrues pro rata to what suppliers are paid
        uint256 escrow; // bid limit × vcu × durationHours, moved from the bid; whatever is not paid out is refunded
        uint16 gridFactor; // gCO2e/kWh of the compute region at opening
        uint16 minGreenBps; // the bid's minimum green share, judged on the report's time-matched Wh
        CertificateOrigin certificateOrigin; // the bid's rule the lots were checked against
        uint40 reportDeadline; // job end + report grace period
        uint32 challengePeriod;
    }

    /// @notice The compute supplier's usage report, one entry per job hour.
    struct UsageReport {
        uint32[] vcuPerHour; // VCU delivered in each job hour, each ≤ the deal's vcu
        uint64[] whPerHour; // metered facility energy in each job hour
        bytes32 meteringRoot; // Merkle root of the fine metered series (docs/metering.md)
    }

    /// @notice A deal as stored: one slot.
    struct Deal {
        DealStatus status;
        bool flagged; // the report was flagged ({UsageFlagged})
        uint40 since; // when the deal entered `status`
        bytes25 digest; // see {termsDigest}, and {reportDigest} once reported
    }

    /// @notice What one energy lot came to at finalisation. The lot's Wh that were not retired stay
    /// with their supplier (the market never holds certificates).
    struct LotOutcome {
        uint256 paid;
        uint256 retiredWh;
        uint256 undeliveredWh; // retirable Wh the supplier did not hold (or could not deliver) at finalisation
    }

    /// @notice What a deal came to at finalisation: payouts and the refund are credited to withdrawable
    /// balances, the fee to the accrued fees.
    struct DealOutcome {
        uint256 vcuHoursDelivered; // Σ vcuPerHour
        uint256 whConsumed; // Σ whPerHour
        uint16 acceptedBps; // 10,000 unless an arbiter granted the buyer a refund share
        uint256 computePaid;
        uint256 bandwidthPaid;
        LotOutcome[] energyLots; // aligned with the terms' energyLots
        uint256 fee;
        uint256 refund; // escrow − payments − fee, to the buyer
        uint256 credits; // gCO2e minted to the buyer
    }

    // ─── Errors ──────────────────────────────────────────────────────────────────────────────────

    /// @notice A window must be non-empty: windowStart < windowEnd.
    error MarketInvalidWindow(uint40 windowStart, uint40 windowEnd);
    /// @notice Windows, jobs and certificate hours are whole UTC hours: `time` is not a multiple of 3600.
    error MarketTimeNotOnHour(uint40 time);
    /// @notice A window spans at most MAX_WINDOW_HOURS hours.
    error MarketWindowTooLong(uint256 windowHours, uint256 maxHours);
    /// @notice A bid's job lasts 1 .. MAX_JOB_HOURS hours and fits its window.
    error MarketInvalidDuration(uint16 durationHours, uint256 windowHours, uint256 maxHours);
    /// @notice A bid's certificateOrigin is not a CertificateOrigin.
    error MarketUnknownCertificateOrigin(uint8 certificateOrigin);
    /// @notice An energy offer names 1 .. MAX_OFFER_HOURS hours.
    error MarketInvalidOfferHours(uint256 hourCount, uint256 maxHours);
    /// @notice An order's expiry must lie in (now, latest]; latest is the window's end for orders with a window.
    error MarketInvalidExpiry(uint40 expiry, uint256 currentTime, uint256 latest);
    /// @notice Orders need a non-zero quantity.
    error MarketZeroQuantity();
    /// @notice A compute offer needs whPerVcuHour > 0 and pueMilli ≥ 1000.
    error MarketInvalidEnergyProfile(uint32 whPerVcuHour, uint16 pueMilli);
    /// @notice The hardware class is not one of the market's classes (0 .. HARDWARE_CLASS_COUNT − 1).
    error MarketUnknownHardwareClass(uint8 hardwareClass);
    /// @notice The region (of a compute offer or either end of a bandwidth route) is not 1 .. MAX_REGION.
    error MarketUnknownRegion(uint8 region);
    /// @notice A bid's buyer region is not 1 .. MAX_REGION.
    error MarketUnknownBuyerRegion(uint8 buyerRegion);
    /// @notice A bid's acceptable regions name a bit outside 1 .. MAX_REGION.
    error MarketUnknownAcceptableRegions(uint32 acceptableRegions);
    /// @notice Only an approved device's Wh can be offered (this one is unknown, pending or suspended).
    error MarketDeviceNotApproved(uint256 deviceId, IGreenCertificates.DeviceStatus status);
    /// @notice Only a device's owner offers its Wh.
    error MarketNotDeviceOwner(uint256 deviceId, address account, address owner);
    /// @notice The supplier has not let the market operate its certificates (`setApprovalForAll`),
    /// which is how the market retires sold Wh at finalisation.
    error MarketCertificatesNotApproved(address supplier);
    /// @notice Wh offered for a device-hour in all open offers (and already sold) may not exceed the
    /// device's capacity × 1 h: one device-hour is never sold twice.
    error MarketHourOverCapacity(uint256 deviceId, uint40 hourStart, uint256 offeredWh, uint256 capacityWh);
    /// @notice The settlement token moved a different amount than asked (e.g. a fee-on-transfer
    /// token); the market supports only tokens that move exactly the amount asked.
    error MarketTokenTransferMismatch(uint256 expected, uint256 received);
    /// @notice A role holder acted on a deal it is a party of.
    error MarketRoleHolderIsParty(uint256 dealId, address account);
    /// @notice The report is flagged ({UsageFlagged}): it finalises only by the buyer's confirmation
    /// after the challenge period or through the arbiter, never unchallenged.
    error MarketReportFlagged(uint256 dealId);
    /// @notice A parameter change's key or value is not allowed (e.g. an unknown region or source).
    error MarketInvalidParameter(Parameter parameter, uint256 key, uint256 value);
    /// @notice No change of this parameter is scheduled.
    error MarketNoScheduledChange(Parameter parameter, uint256 key);
    /// @notice The scheduled change takes effect only at `effectiveAt`.
    error MarketChangeNotDue(Parameter parameter, uint256 key, uint256 effectiveAt);
    /// @notice The constructor needs one source factor per generation source.
    error MarketInvalidSourceFactors(uint256 count, uint256 required);
    /// @notice A bid's minimum green share is at most 10,000 bps.
    error MarketInvalidGreenShare(uint16 minGreenBps);
    /// @notice A bid must accept at least one compute region.
    error MarketNoAcceptableRegion();
    /// @notice A bandwidth offer must join two different regions.
    error MarketInvalidRoute(uint8 fromRegion, uint8 toRegion);
    /// @notice `account` tried to cancel an order it does not own.
    error MarketNotOrderOwner(OrderKind kind, uint256 orderId, address account);
    /// @notice The order is unknown, cancelled or fully filled.
    error MarketOrderNotOpen(OrderKind kind, uint256 orderId);
    /// @notice The deal id does not exist.
    error MarketUnknownDeal(uint256 dealId);
    /// @notice The terms (or report) passed do not hash to the deal's stored digest.
    error MarketDealDigestMismatch(uint256 dealId);
    /// @notice The deal is not in the status the action requires.
    error MarketInvalidDealStatus(uint256 dealId, DealStatus status, DealStatus required);
    /// @notice Only `required` (the deal's buyer or compute supplier; for disputes the buyer, or
    /// any other party of the deal) may take this action.
    error MarketNotDealParty(uint256 dealId, address account, address required);
    /// @notice Usage can be reported only once the deal's job hours have ended.
    error MarketJobNotEnded(uint256 dealId, uint256 jobEnd);
    /// @notice A report has one entry per job hour in both of its series.
    error MarketReportLengthMismatch(uint256 dealId, uint256 vcuHours, uint256 whHours, uint16 durationHours);
    /// @notice The report's calldata is not laid out as abi.encode lays it out (each series right
    /// behind the one before): its digest could not be matched by any later deal action.
    error MarketReportNotCanonical(uint256 dealId);
    /// @notice The report deadline has passed; the deal can only be cancelled.
    error MarketReportDeadlinePassed(uint256 dealId, uint40 reportDeadline);
    /// @notice A no-show cancellation must wait for the report deadline.
    error MarketReportDeadlineNotReached(uint256 dealId, uint40 reportDeadline);
    /// @notice The challenge period is over; the report can no longer be disputed.
    error MarketChallengePeriodOver(uint256 dealId, uint256 challengeEnd);
    /// @notice The challenge period is still running; the deal cannot be finalised by anyone yet.
    error MarketChallengePeriodActive(uint256 dealId, uint256 challengeEnd);
    /// @notice More VCU reported in job hour `hourOffset` (0 = the first) than the deal bought.
    error MarketDeliveryExceedsDeal(uint256 dealId, uint256 hourOffset, uint256 vcuDelivered, uint256 vcu);
    /// @notice The arbiter still has until `arbitrationDeadline` to resolve the dispute; nobody else can
    /// finalise the deal before then.
    error MarketArbitrationPeriodActive(uint256 dealId, uint256 arbitrationDeadline);
    /// @notice An arbiter's refund share is at most 10,000 bps.
    error MarketInvalidRefundShare(uint16 refundBps);
    /// @notice The platform fee is capped.
    error MarketFeeTooHigh(uint16 feeBps, uint16 maxFeeBps);
    /// @notice The treasury must be a non-zero address.
    error MarketInvalidTreasury(address treasury);
    /// @notice The challenge and report grace periods must be non-zero.
    error MarketInvalidDealPeriods(uint32 challengePeriod, uint32 reportGracePeriod);
    /// @notice The arbitration period must be non-zero.
    error MarketInvalidArbitrationPeriod(uint32 arbitrationPeriod);
    /// @notice The account (or, for fees, the treasury) has nothing to withdraw.
    error MarketNothingToWithdraw(address account);

    // ─── Events ──────────────────────────────────────────────────────────────────────────────────

    /// @notice A compute offer was posted with all of its fields.
    event ComputeOfferPosted(uint256 indexed offerId, address indexed supplier, ComputeOfferParams offer);
    /// @notice An energy offer was posted: forward Wh of named hours of one device (no certificates move).
    event EnergyOfferPosted(
        uint256 indexed offerId,
        address indexed supplier,
        uint256 indexed deviceId,
        IGreenCertificates.EnergySource source,
        uint8 region,
        EnergyOfferParams offer
    );
    /// @notice A bandwidth offer was posted with all of its fields.
    event BandwidthOfferPosted(uint256 indexed offerId, address indexed supplier, BandwidthOfferParams offer);
    /// @notice A bid was posted; `escrow` (vcu × durationHours × limit) moved from the buyer into the market.
    event BidPosted(uint256 indexed bidId, address indexed buyer, BidParams bid, uint256 escrow);

    /// @notice The buyer cancelled the unfilled rest (`vcu` units) of a bid and got `refund` back at once.
    event BidCancelled(uint256 indexed bidId, address indexed buyer, uint256 vcu, uint256 refund);
    /// @notice The supplier cancelled a compute offer: it sells no more hours (deals keep theirs).
    event ComputeOfferCancelled(uint256 indexed offerId, address indexed supplier);
    /// @notice The supplier cancelled an energy offer: its unsold Wh of each hour (`unsoldWhPerHour[i]` of
    /// the offer's hour i) are freed for other offers of the device.
    event EnergyOfferCancelled(
        uint256 indexed offerId,
        address indexed supplier,
        uint256 indexed deviceId,
        uint64[] unsoldWhPerHour
    );
    /// @notice The supplier cancelled a bandwidth offer: it reserves no more hours (deals keep theirs).
    event BandwidthOfferCancelled(uint256 indexed offerId, address indexed supplier);

    /// @notice A match settled into a deal. The terms say everything that changed: the bid lost `vcu`
    /// units (and `escrow` moved into the deal) and has its start fixed, the compute offer's job hours
    /// gained `vcu` used, each energy offer's lot hour lost the lot's Wh, and the bandwidth offer (if
    /// any) reserved `bandwidthMbps` in each job hour.
    event DealOpened(uint256 indexed dealId, uint256 indexed bidId, address indexed buyer, DealTerms terms);
    /// @notice Match `index` of a `settle` batch was skipped; the rest of the batch went on.
    event MatchSkipped(uint256 indexed index, uint256 indexed bidId, uint256 indexed computeOfferId, SkipReason reason);
    /// @notice The compute supplier reported usage; the buyer may dispute until `challengeEnd`.
    event UsageReported(
        uint256 indexed dealId,
        address indexed computeSupplier,
        UsageReport report,
        uint256 challengeEnd
    );
    /// @notice The report is far from the deal's declared energy profile (`outsideProfile`: Σ whPerHour
    /// differs from needPerHourWh × Σ vcuPerHour / vcu by more than ENERGY_TOLERANCE_BPS, or some hour's
    /// whPerHour[h] from needPerHourWh × vcuPerHour[h] / vcu), or the
    /// time-matched green share falls below the bid's minimum (`belowGreenMinimum`: Σ_h min(lots' Wh
    /// in h, metered Wh in h) = `matchedGreenWh` < minGreenBps × whConsumed). A flagged report never
    /// finalises unchallenged: see {finalize}, {confirmUsage} and {disputeUsage}.
    event UsageFlagged(
        uint256 indexed dealId,
        bool outsideProfile,
        bool belowGreenMinimum,
        uint256 expectedWh,
        uint256 whConsumed,
        uint256 matchedGreenWh
    );
    /// @notice The buyer confirmed the report; {DealFinalized} follows in the same transaction.
    event UsageConfirmed(uint256 indexed dealId, address indexed buyer);
    /// @notice A party (`disputant`) disputed the report; an arbiter resolves it, and from
    /// `arbitrationDeadline` on anyone may finalise it as reported instead ({finalizeLapsedDispute}).
    event DealDisputed(uint256 indexed dealId, address indexed disputant, string reason, uint256 arbitrationDeadline);
    /// @notice An arbiter resolved a dispute, refunding `refundBps` of what the report would pay;
    /// {DealFinalized} follows in the same transaction.
    event DisputeResolved(uint256 indexed dealId, address indexed arbiter, uint16 refundBps);
    /// @notice Nobody resolved the dispute by its arbitration deadline, so the report stands (refund
    /// share 0); {DealFinalized} follows in the same transaction.
    event DisputeLapsed(uint256 indexed dealId);
    /// @notice A deal finalised: suppliers, treasury and buyer were credited, certificate Wh retired
    /// from their suppliers for the buyer hour by hour, credits minted to the buyer.
    event DealFinalized(uint256 indexed dealId, address indexed buyer, DealOutcome outcome);
    /// @notice The compute supplier never reported: the buyer was credited the whole escrow; no
    /// certificate was retired (the lots' Wh never left their suppliers).
    event DealCancelled(uint256 indexed dealId, address indexed buyer, uint256 refund);
    /// @notice `account` withdrew its whole balance.
    event Withdrawn(address indexed account, uint256 amount);
    /// @notice The accrued platform fees were sent to the treasury.
    event FeesWithdrawn(address indexed treasury, uint256 amount);

    /// @notice The admin scheduled a parameter change; anyone applies it from `effectiveAt` on.
    event ParameterChangeScheduled(
        Parameter indexed parameter,
        uint256 indexed key,
        uint256 value,
        uint256 effectiveAt
    );
    /// @notice The admin withdrew a scheduled parameter change before it was applied.
    event ParameterChangeCancelled(Parameter indexed parameter, uint256 indexed key);
    /// @notice The platform fee changed (applies to bids posted from now on).
    event FeeSet(uint16 feeBps);
    /// @notice The treasury that receives the accrued fees changed.
    event TreasurySet(address indexed treasury);
    /// @notice The challenge and report grace periods changed (apply to bids posted from now on).
    event DealPeriodsSet(uint32 challengePeriod, uint32 reportGracePeriod);
    /// @notice The arbitration period changed (applies to disputes opened from now on).
    event ArbitrationPeriodSet(uint32 arbitrationPeriod);
    /// @notice A region's grid emission factor changed (applies to deals opened from now on).
    event GridFactorSet(uint8 indexed region, uint16 gCO2ePerKwh);
    /// @notice A generation source's emission factor changed (applies to deals opened from now on).
    event SourceFactorSet(IGreenCertificates.EnergySource indexed source, uint16 gCO2ePerKwh);

    // ─── Orders ──────────────────────────────────────────────────────────────────────────────────

    /// @notice Posts a compute offer of `vcu` units in every hour of its window.
    /// @dev Requirements: not paused; hardwareClass < HARDWARE_CLASS_COUNT; 1 ≤ region ≤ MAX_REGION;
    /// window on the hour, non-empty, ≤ MAX_WINDOW_HOURS; now < expiry ≤ windowEnd; vcu > 0;
    /// whPerVcuHour > 0; pueMilli ≥ 1000. Emits {ComputeOfferPosted}.
    function postComputeOffer(ComputeOfferParams calldata offer) external returns (uint256 offerId);

    /// @notice Posts an energy offer: forward Wh of named hours of one device (future hours are a
    /// forecast of generation; past hours may already be issued). No certificate moves now; the
    /// market retires the sold Wh from the supplier at finalisation, as far as it then holds them.
    /// @dev Requirements: not paused; caller owns the device, which is Approved; firstHour on the hour;
    /// 1 ≤ whPerHour.length ≤ MAX_OFFER_HOURS; Σ whPerHour > 0; per device-hour, the Wh in open
    /// offers (and sold) stay ≤ capacityW; now < expiry; the caller has approved the market for its
    /// certificates (`setApprovalForAll`). Emits {EnergyOfferPosted}.
    function postEnergyOffer(EnergyOfferParams calldata offer) external returns (uint256 offerId);

    /// @notice Posts a bandwidth offer of `mbps` in every hour of its window.
    /// @dev Requirements: not paused; both regions 1 .. MAX_REGION; fromRegion ≠ toRegion;
    /// window on the hour, non-empty, ≤ MAX_WINDOW_HOURS; now < expiry ≤ windowEnd; mbps > 0.
    /// Emits {BandwidthOfferPosted}.
    function postBandwidthOffer(BandwidthOfferParams calldata offer) external returns (uint256 offerId);

    /// @notice Posts a bid, pulling vcu × durationHours × limitPricePerVcuHour from the caller into
    /// escrow. The fee and deal periods in force now are stored with the bid and hold for every deal it opens.
    /// @dev Requirements: not paused; hardwareClass < HARDWARE_CLASS_COUNT; buyerRegion and every bit
    /// of acceptableRegions (≠ 0) within 1 .. MAX_REGION; earliestStart and latestEnd on the hour,
    /// earliestStart < latestEnd, window ≤ MAX_WINDOW_HOURS; 1 ≤ durationHours ≤ MAX_JOB_HOURS and
    /// ≤ the window's hours; now < expiry ≤ latestEnd; vcu > 0; minGreenBps ≤ 10,000;
    /// certificateOrigin a CertificateOrigin; allowance ≥ escrow; the market's balance grows by
    /// exactly the escrow (no fee-on-transfer tokens). Emits {BidPosted}.
    function postBid(BidParams calldata bid) external returns (uint256 bidId);

    /// @notice {postBid} with an EIP-2612 permit for the escrow. A permit that fails (e.g. front-run)
    /// is ignored as long as the allowance already covers the escrow.
    function postBidWithPermit(
        BidParams calldata bid,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 bidId);

    /// @notice Cancels the unfilled rest of the caller's bid and refunds its escrow at once.
    /// @dev Works while paused and after expiry. Requirements: caller is the buyer; something remains.
    /// Emits {BidCancelled}.
    function cancelBid(uint256 bidId) external;

    /// @notice Cancels the caller's compute offer: it sells no more hours. Works while paused.
    /// @dev Emits {ComputeOfferCancelled}.
    function cancelComputeOffer(uint256 offerId) external;

    /// @notice Cancels the caller's energy offer and frees its unsold Wh of every hour (other offers of
    /// the device may name them again). Works while paused. @dev Emits {EnergyOfferCancelled}.
    function cancelEnergyOffer(uint256 offerId) external;

    /// @notice Cancels the caller's bandwidth offer: it reserves no more hours. Works while paused.
    /// @dev Emits {BandwidthOfferCancelled}.
    function cancelBandwidthOffer(uint256 offerId) external;

    // ─── Settlement ──────────────────────────────────────────────────────────────────────────────

    /// @notice Settles a batch of matches into deals. Each match is checked against its orders' own
    /// limits; a match that fails any check is skipped with {MatchSkipped} and the others settle.
    /// Matches apply in order, so a later match sees the fills of earlier ones. A match whose buyer or
    /// any supplier is the caller is skipped (MatcherIsParty): the matcher never trades with itself.
    /// Fee and deal periods come from the bid (fixed when it was posted).
    /// @dev Requirements: caller has MATCHER_ROLE; not paused. Emits {DealOpened} or {MatchSkipped} per match.
    /// @return dealsOpened how many matches became deals
    function settle(Match[] calldata matches) external returns (uint256 dealsOpened);

    // ─── Deals ───────────────────────────────────────────────────────────────────────────────────

    /// @notice The compute supplier reports usage hour by hour after the job's hours; the challenge
    /// period starts.
    /// @dev Requirements: caller is the terms' computeSupplier; deal Active; job end ≤ now < reportDeadline;
    /// both series have durationHours entries; each vcuPerHour ≤ vcu; the report ABI-encoded as abi.encode
    /// lays it out (MarketReportNotCanonical). Emits {UsageReported}, and
    /// {UsageFlagged} when the report is far from the declared energy profile or its time-matched
    /// green share is below the bid's minimum.
    function reportUsage(uint256 dealId, DealTerms calldata terms, UsageReport calldata report) external;

    /// @notice The buyer accepts the report; the deal finalises at once. A flagged report can be
    /// confirmed only once its challenge period is over, so that its suppliers had their full window
    /// to dispute it.
    /// @dev Requirements: caller is the buyer; deal Reported; flagged ⇒ now ≥ reported time +
    /// challengePeriod. Emits {UsageConfirmed}, {DealFinalized}.
    function confirmUsage(uint256 dealId, DealTerms calldata terms, UsageReport calldata report) external;

    /// @notice The buyer, an energy supplier or the network supplier of the deal disputes the report
    /// within the challenge period. A flagged report ({UsageFlagged}) may be disputed by any party,
    /// the compute supplier too, at any time while it stands: that is how it reaches the arbiter.
    /// The arbitration deadline, now + the arbitration period in force, is fixed at this moment: a
    /// later change of the period never moves it.
    /// @dev Requirements: deal Reported; caller is the buyer, a lot's supplier or the bandwidth
    /// supplier, and now < reported time + challengePeriod; or the report is flagged and the caller
    /// is any party. Emits {DealDisputed}.
    function disputeUsage(
        uint256 dealId,
        DealTerms calldata terms,
        UsageReport calldata report,
        string calldata reason
    ) external;

    /// @notice An arbiter resolves a dispute: the buyer gets back `refundBps` of what the report would
    /// pay (payments, fee, retired Wh and credits all scale by 10,000 − refundBps); the deal finalises.
    /// A late ruling is still accepted after the arbitration deadline, as long as nobody has
    /// finalised the lapsed dispute yet: the deadline bounds how long escrow stays locked, it does
    /// not take the case away from the arbiter.
    /// @dev Requirements: caller has ARBITER_ROLE and is no party of the deal; deal Disputed;
    /// refundBps ≤ 10,000.
    /// Emits {DisputeResolved}, {DealFinalized}.
    function resolveDispute(
        uint256 dealId,
        DealTerms calldata terms,
        UsageReport calldata report,
        uint16 refundBps
    ) external;

    /// @notice Anyone finalises an undisputed deal once its challenge period is over, unless its
    /// report is flagged ({UsageFlagged}): that one needs the buyer's confirmation or the arbiter.
    /// Hour by hour, the retirable Wh are min(lots' Wh, metered Wh) × the accepted share; lots of the
    /// hour retire in lot order from their suppliers' balances and are paid pro rata to the Wh they
    /// retired. Wh a supplier no longer holds (sold elsewhere, a suspended device, the market's
    /// approval revoked) are not paid: their payment goes back to the buyer. This holds for every way
    /// a deal finalises (docs/market-rules.md, "Finalisation").
    /// @dev Requirements: deal Reported; report not flagged; now ≥ reported time + challengePeriod.
    /// Emits {DealFinalized}.
    function finalize(uint256 dealId, DealTerms calldata terms, UsageReport calldata report) external;

    /// @notice Anyone finalises a disputed deal the arbiter has not resolved by its arbitration
    /// deadline, as reported: refund share 0, exactly what {finalize} would have paid. A dispute not
    /// upheld in time leaves the report standing, so disputing cannot claw back part of the price
    /// merely because the arbiter is slow. Works while paused, like every settlement path.
    /// @dev Requirements: deal Disputed; now ≥ its arbitration deadline (see {DealDisputed}).
    /// Emits {DisputeLapsed}, {DealFinalized}.
    function finalizeLapsedDispute(uint256 dealId, DealTerms calldata terms, UsageReport calldata report) external;

    /// @notice Anyone cancels a deal whose compute supplier did not report by the deadline: the buyer is
    /// credited the whole escrow; no certificate is retired.
    /// @dev Requirements: deal Active; now ≥ reportDeadline. Emits {DealCancelled}.
    function cancelNoShow(uint256 dealId, DealTerms calldata terms) external;

    /// @notice Sends the caller's whole withdrawable balance to the caller. Works while paused.
    /// @dev Requirements: balance > 0. Emits {Withdrawn}.
    function withdraw() external returns (uint256 amount);

    /// @notice Sends all accrued platform fees to the treasury; anyone may call it. Works while paused.
    /// @dev Requirements: accrued fees > 0. Emits {FeesWithdrawn}.
    function withdrawFees() external returns (uint256 amount);

    // ─── Administration ──────────────────────────────────────────────────────────────────────────

    /// @notice Schedules a change of a market parameter, applied by anyone from now +
    /// PARAMETER_CHANGE_DELAY on ({applyParameterChange}), so that users see every change before it
    /// binds them. Scheduling again replaces the pending change (and restarts the delay). Fee and deal
    /// periods bind only bids posted after the change is applied; factors bind deals opened after it.
    /// @dev DEFAULT_ADMIN_ROLE. Key: region (1 .. MAX_REGION) for GridFactor, source for SourceFactor,
    /// else 0. Value: fee ≤ MAX_FEE_BPS; periods 1 .. 2^32 − 1 s; factors ≤ 2^16 − 1 gCO2e/kWh.
    /// Emits {ParameterChangeScheduled}.
    function scheduleParameterChange(Parameter parameter, uint256 key, uint256 value) external;

    /// @notice Withdraws a scheduled change. @dev DEFAULT_ADMIN_ROLE; a change is scheduled.
    /// Emits {ParameterChangeCancelled}.
    function cancelParameterChange(Parameter parameter, uint256 key) external;

    /// @notice Applies a scheduled change once it is due; anyone may call it.
    /// @dev Requirements: a change is scheduled; now ≥ its effectiveAt. Emits {FeeSet},
    /// {DealPeriodsSet}, {ArbitrationPeriodSet}, {GridFactorSet} or {SourceFactorSet}.
    function applyParameterChange(Parameter parameter, uint256 key) external;

    /// @notice Sets the fee treasury. @dev DEFAULT_ADMIN_ROLE; non-zero. Emits {TreasurySet}.
    function setTreasury(address treasury) external;

    /// @notice Stops new orders and settlements; cancellations, deal actions and withdrawals go on.
    /// @dev PAUSER_ROLE. Emits {Paused}.
    function pause() external;

    /// @notice Resumes new orders and settlements. @dev PAUSER_ROLE. Emits {Unpaused}.
    function unpause() external;

    // ─── Views ───────────────────────────────────────────────────────────────────────────────────

    /// @notice Role that submits matches.
    function MATCHER_ROLE() external view returns (bytes32);
    /// @notice Role that resolves disputes.
    function ARBITER_ROLE() external view returns (bytes32);
    /// @notice Role that pauses and unpauses new business.
    function PAUSER_ROLE() external view returns (bytes32);
    /// @notice Highest platform fee the admin can set, in bps.
    function MAX_FEE_BPS() external view returns (uint16);
    /// @notice Grid emission factor of regions without their own, in gCO2e/kWh (0.61 kgCO2/kWh).
    function DEFAULT_GRID_FACTOR() external view returns (uint16);
    /// @notice Seconds between scheduling a parameter change and the earliest time it applies.
    function PARAMETER_CHANGE_DELAY() external view returns (uint32);
    /// @notice How far (in bps of the declared energy) a report's whConsumed may stray before it is flagged.
    function ENERGY_TOLERANCE_BPS() external view returns (uint16);
    /// @notice Hardware classes are 0 .. HARDWARE_CLASS_COUNT − 1 (`protocol/units.ts` HARDWARE_CLASSES).
    function HARDWARE_CLASS_COUNT() external view returns (uint8);
    /// @notice Regions are 1 .. MAX_REGION (`protocol/units.ts` REGIONS).
    function MAX_REGION() external view returns (uint8);
    /// @notice Grid areas are 1 .. MAX_GRID_AREA (`protocol/units.ts` GRID_AREAS).
    function MAX_GRID_AREA() external view returns (uint8);
    /// @notice The grid area (regional grid) `region` sits in; 0 for a code that is not a region.
    function gridAreaOf(uint8 region) external pure returns (uint8);
    /// @notice Longest window of an offer or bid, in hours (`protocol/hours.ts`).
    function MAX_WINDOW_HOURS() external view returns (uint16);
    /// @notice Longest job of a bid, in hours (`protocol/hours.ts`).
    function MAX_JOB_HOURS() external view returns (uint16);
    /// @notice Most hours one energy offer names (`protocol/hours.ts`).
    function MAX_OFFER_HOURS() external view returns (uint16);
    /// @notice The pending change of a parameter: its value and when it may be applied (0 if none).
    function scheduledChangeOf(
        Parameter parameter,
        uint256 key
    ) external view returns (uint256 value, uint256 effectiveAt);

    /// @notice The ERC-20 the market settles in.
    function settlementToken() external view returns (IERC20);
    /// @notice The green certificate registry.
    function certificates() external view returns (IGreenCertificates);
    /// @notice The carbon credit token.
    function credits() external view returns (ICarbonCredits);

    /// @notice Platform fee in bps of what suppliers are paid, for bids posted now.
    function feeBps() external view returns (uint16);
    /// @notice Account that receives the accrued platform fees.
    function treasury() external view returns (address);
    /// @notice Seconds the buyer has to dispute a report, for bids posted now.
    function challengePeriod() external view returns (uint32);
    /// @notice Seconds after a deal's window within which the compute supplier must report, for bids posted now.
    function reportGracePeriod() external view returns (uint32);
    /// @notice Seconds the arbiter has to resolve a dispute opened now before anyone may finalise the
    /// deal as reported.
    function arbitrationPeriod() external view returns (uint32);
    /// @notice Grid emission factor of `region` in gCO2e/kWh (DEFAULT_GRID_FACTOR unless set).
    function gridFactorOf(uint8 region) external view returns (uint16);
    /// @notice Lifecycle emission factor of a generation source in gCO2e/kWh (set at deployment;
    /// docs/carbon-accounting.md).
    function sourceFactorOf(IGreenCertificates.EnergySource source) external view returns (uint16);

    /// @notice The stored bid (all zero for unknown ids; remainingVcu 0 once cancelled or filled).
    function bidOf(uint256 bidId) external view returns (Bid memory);
    /// @notice The stored compute offer (all zero for unknown ids).
    function computeOfferOf(uint256 offerId) external view returns (ComputeOffer memory);
    /// @notice The stored energy offer (all zero for unknown ids).
    function energyOfferOf(uint256 offerId) external view returns (EnergyOffer memory);
    /// @notice The stored bandwidth offer (all zero for unknown ids).
    function bandwidthOfferOf(uint256 offerId) external view returns (BandwidthOffer memory);
    /// @notice The stored deal (status, flagged, since, digest); reverts for unknown ids.
    function dealOf(uint256 dealId) external view returns (Deal memory);
    /// @notice VCU of compute offer `offerId` sold in the hour starting at `hourStart`.
    function computeUsedOf(uint256 offerId, uint40 hourStart) external view returns (uint256);
    /// @notice Mbps of bandwidth offer `offerId` reserved in the hour starting at `hourStart`.
    function bandwidthUsedOf(uint256 offerId, uint40 hourStart) external view returns (uint256);
    /// @notice Wh energy offer `offerId` has left in the hour starting at `hourStart` (0 outside its hours).
    function energyRemainingOf(uint256 offerId, uint40 hourStart) external view returns (uint256);
    /// @notice Wh of device `deviceId`'s hour starting at `hourStart` in open energy offers or sold:
    /// never above the device's capacity × 1 h.
    function deviceHourOfferedOf(uint256 deviceId, uint40 hourStart) external view returns (uint256);

    /// @notice Number of bids, offers of each kind and deals created so far (the highest ids; ids start at 1).
    function bidCount() external view returns (uint256);
    /// @notice Number of compute offers posted so far.
    function computeOfferCount() external view returns (uint256);
    /// @notice Number of energy offers posted so far.
    function energyOfferCount() external view returns (uint256);
    /// @notice Number of bandwidth offers posted so far.
    function bandwidthOfferCount() external view returns (uint256);
    /// @notice Number of deals opened so far.
    function dealCount() external view returns (uint256);

    /// @notice Settlement tokens `account` can withdraw (supplier payouts and buyer refunds).
    function withdrawableOf(address account) external view returns (uint256);

    /// @notice Platform fees of finalised deals not yet sent to the treasury.
    function accruedFees() external view returns (uint256);

    /// @notice The digest stored for an Active deal: the first 25 bytes of keccak256(abi.encode(terms)).
    function termsDigest(DealTerms calldata terms) external pure returns (bytes25);
    /// @notice The digest stored once the deal is reported: the first 25 bytes of
    /// keccak256(abi.encode(termsDigest(terms), report)).
    function reportDigest(DealTerms calldata terms, UsageReport calldata report) external pure returns (bytes25);
}
