// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IGreenCertificates} from "./interfaces/IGreenCertificates.sol";
import {MarketCodes} from "./libraries/MarketCodes.sol";

/// @title Green certificates (绿证): one ERC-1155 id per issued batch, one unit per Wh
contract GreenCertificates is ERC1155, AccessControl, IGreenCertificates {
    /// @inheritdoc IGreenCertificates
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @inheritdoc IGreenCertificates
    bytes32 public constant MARKET_ROLE = keccak256("MARKET_ROLE");
    /// @inheritdoc IGreenCertificates
    uint8 public constant MAX_REGION = MarketCodes.MAX_REGION;

    uint256 private constant _SECONDS_PER_HOUR = 3600;

    uint32 private _deviceCount;
    uint64 private _batchCount;
    mapping(uint256 deviceId => Device) private _devices;
    mapping(uint256 batchId => Batch) private _batches;

    /// @param admin receives DEFAULT_ADMIN_ROLE (grants MARKET_ROLE to the market and REGISTRAR_ROLE)
    /// @param registrar receives REGISTRAR_ROLE
    /// @param uri_ ERC-1155 metadata URI template (`{id}` is replaced by clients)
    constructor(address admin, address registrar, string memory uri_) ERC1155(uri_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(REGISTRAR_ROLE, registrar);
    }

    /// @inheritdoc IGreenCertificates
    function registerDevice(
        uint8 source,
        uint8 region,
        uint64 capacityW,
        uint40 commissionedAt,
        string calldata metadataURI
    ) external returns (uint256 deviceId) {
        if (source > uint8(type(EnergySource).max)) revert CertificatesUnknownEnergySource(source);
        if (!MarketCodes.isRegion(region)) revert CertificatesUnknownRegion(region);
        if (capacityW == 0 || commissionedAt > block.timestamp) {
            revert CertificatesInvalidDevice(capacityW, commissionedAt);
        }
        deviceId = ++_deviceCount;
        _devices[deviceId] = Device({
            owner: msg.sender,
            source: EnergySource(source),
            region: region,
            status: DeviceStatus.Pending,
            commissionedAt: commissionedAt,
            capacityW: capacityW,
            issuedUntil: 0,
            metadataURI: metadataURI
        });
        emit DeviceRegistered(
            deviceId,
            msg.sender,
            EnergySource(source),
            region,
            capacityW,
            commissionedAt,
            metadataURI
        );
    }

    /// @inheritdoc IGreenCertificates
    function approveDevice(uint256 deviceId) external onlyRole(REGISTRAR_ROLE) {
        Device storage device = _existingDevice(deviceId);
        if (device.owner == msg.sender) revert CertificatesRegistrarIsOwner(deviceId, msg.sender);
        DeviceStatus status = device.status;
        if (status != DeviceStatus.Pending && status != DeviceStatus.Suspended) {
            revert CertificatesInvalidDeviceStatus(deviceId, status, DeviceStatus.Pending);
        }
        device.status = DeviceStatus.Approved;
        emit DeviceApproved(deviceId, msg.sender);
    }

    /// @inheritdoc IGreenCertificates
    function suspendDevice(uint256 deviceId) external onlyRole(REGISTRAR_ROLE) {
        Device storage device = _existingDevice(deviceId);
        if (device.status != DeviceStatus.Approved) {
            revert CertificatesInvalidDeviceStatus(deviceId, device.status, DeviceStatus.Approved);
        }
        device.status = DeviceStatus.Suspended;
        emit DeviceSuspended(deviceId, msg.sender);
    }

    /// @inheritdoc IGreenCertificates
    function issue(
        uint256 deviceId,
        uint40 periodStart,
        uint40 periodEnd,
        uint64 wh
    ) external returns (uint256 batchId) {
        Device storage device = _existingDevice(deviceId);
        if (device.owner != msg.sender) revert CertificatesNotDeviceOwner(deviceId, msg.sender, device.owner);
        if (device.status != DeviceStatus.Approved) {
            revert CertificatesInvalidDeviceStatus(deviceId, device.status, DeviceStatus.Approved);
        }
        if (wh == 0) revert CertificatesZeroAmount();
        if (periodStart >= periodEnd || periodEnd > block.timestamp) {
            revert CertificatesInvalidPeriod(periodStart, periodEnd, block.timestamp);
        }
        if (periodStart < device.commissionedAt) {
            revert CertificatesPeriodBeforeCommissioning(deviceId, periodStart, device.commissionedAt);
        }
        if (periodStart < device.issuedUntil) {
            revert CertificatesPeriodOverlap(deviceId, periodStart, device.issuedUntil);
        }
        uint256 maxWh = (uint256(device.capacityW) * (periodEnd - periodStart)) / _SECONDS_PER_HOUR;
        if (wh > maxWh) revert CertificatesExceedsCapacity(deviceId, wh, maxWh);

        device.issuedUntil = periodEnd;
        batchId = ++_batchCount;
        _batches[batchId] = Batch({
            deviceId: uint32(deviceId),
            source: device.source,
            region: device.region,
            periodStart: periodStart,
            periodEnd: periodEnd,
            issuedWh: wh,
            retiredWh: 0
        });
        emit CertificatesIssued(
            batchId,
            deviceId,
            msg.sender,
            device.source,
            device.region,
            periodStart,
            periodEnd,
            wh
        );
        _mint(msg.sender, batchId, wh, "");
    }

    /// @inheritdoc IGreenCertificates
    function retire(uint256 batchId, uint256 wh, address beneficiary, string calldata purpose) external {
        if (beneficiary == address(0)) revert CertificatesInvalidBeneficiary(beneficiary);
        _retire(batchId, wh, beneficiary, 0, purpose);
    }

    /// @inheritdoc IGreenCertificates
    function retireForDeal(
        uint256 dealId,
        address beneficiary,
        uint256[] calldata batchIds,
        uint256[] calldata whs
    ) external onlyRole(MARKET_ROLE) {
        if (batchIds.length != whs.length) revert ERC1155InvalidArrayLength(batchIds.length, whs.length);
        if (beneficiary == address(0)) revert CertificatesInvalidBeneficiary(beneficiary);
        for (uint256 i = 0; i < batchIds.length; ++i) {
            _retire(batchIds[i], whs[i], beneficiary, dealId, "CCEX deal");
        }
    }

    /// @inheritdoc IGreenCertificates
    function returnEscrow(
        address to,
        uint256[] calldata batchIds,
        uint256[] calldata whs
    ) external onlyRole(MARKET_ROLE) {
        if (batchIds.length != whs.length) revert ERC1155InvalidArrayLength(batchIds.length, whs.length);
        if (to == address(0)) revert ERC1155InvalidReceiver(to);
        // `_update` rather than a safe transfer: see the interface, a refusing receiver must not block a deal.
        _update(msg.sender, to, batchIds, whs);
    }

    /// @inheritdoc IGreenCertificates
    function deviceOf(uint256 deviceId) external view returns (Device memory) {
        return _devices[deviceId];
    }

    /// @inheritdoc IGreenCertificates
    function batchOf(uint256 batchId) external view returns (Batch memory) {
        return _batches[batchId];
    }

    /// @inheritdoc IGreenCertificates
    function isBatchSuspended(uint256 batchId) public view returns (bool) {
        return _devices[_batches[batchId].deviceId].status == DeviceStatus.Suspended;
    }

    /// @inheritdoc IGreenCertificates
    function deviceCount() external view returns (uint256) {
        return _deviceCount;
    }

    /// @inheritdoc IGreenCertificates
    function batchCount() external view returns (uint256) {
        return _batchCount;
    }

    /// @inheritdoc IERC165
    function supportsInterface(
        bytes4 interfaceId
    ) public view override(ERC1155, AccessControl, IERC165) returns (bool) {
        return interfaceId == type(IGreenCertificates).interfaceId || super.supportsInterface(interfaceId);
    }

    function _existingDevice(uint256 deviceId) private view returns (Device storage device) {
        device = _devices[deviceId];
        if (device.owner == address(0)) revert CertificatesUnknownDevice(deviceId);
    }

    /// @dev Burns `wh` of the caller's certificates and records the retirement on the batch.
    function _retire(uint256 batchId, uint256 wh, address beneficiary, uint256 dealId, string memory purpose) private {
        if (wh == 0) revert CertificatesZeroAmount();
        Batch storage batch = _batches[batchId];
        if (batch.issuedWh == 0) revert CertificatesUnknownBatch(batchId);
        if (_devices[batch.deviceId].status == DeviceStatus.Suspended) {
            revert CertificatesDeviceSuspended(batchId, batch.deviceId);
        }
        _burn(msg.sender, batchId, wh);
        // The burn succeeded, so wh ≤ the holder's balance ≤ issuedWh − retiredWh: the sum fits uint64.
        unchecked {
            batch.retiredWh += uint64(wh);
        }
        emit CertificatesRetired(batchId, msg.sender, beneficiary, wh, dealId, purpose);
    }
}
