"""The beneficiary registry (danh sách đối tượng hưởng trợ cấp xã hội hằng tháng)."""
